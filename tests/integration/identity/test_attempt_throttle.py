"""The login throttle's table, shared by every identity replica, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from kinlink_identity.adapters.attempt_throttle import AttemptLimits
from kinlink_identity.adapters.attempt_throttle import AttemptThrottle
from kinlink_identity.adapters.passwords import PasswordHasher
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.service_layer.identity import Identity
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import ResourceExhausted
from kinlink_kit.testing import Clock

from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_accounts import active_account
from tests.integration.identity.test_accounts import fail_to_sign_in
from tests.integration.identity.test_accounts import sign_in

LIMITS = AttemptLimits(per_account=3, per_address=5, window=timedelta(minutes=15))


def attempts(identity: Identity) -> list[tuple[str, str]]:
    rows = identity.views.query("SELECT scope, account FROM throttled_attempts ORDER BY account")
    return [(row["scope"], row["account"]) for row in rows]


def test_replicas_count_the_same_failures(identity: Identity, clock: Clock) -> None:
    one, other = AttemptThrottle(identity.views, LIMITS), AttemptThrottle(identity.views, LIMITS)
    one.attempt("ada@example.com", "198.51.100.1", clock.now)
    other.attempt("ada@example.com", "198.51.100.2", clock.now)
    one.attempt("ada@example.com", "198.51.100.3", clock.now)

    with pytest.raises(ResourceExhausted):
        other.attempt("ada@example.com", "198.51.100.4", clock.now)


def test_refused_attempts_are_not_counted(identity: Identity, clock: Clock) -> None:
    throttle = AttemptThrottle(identity.views, LIMITS)
    for _ in range(LIMITS.per_account):
        throttle.attempt("ada@example.com", "198.51.100.1", clock.now)
    for _ in range(3):
        with pytest.raises(ResourceExhausted):
            throttle.attempt("ada@example.com", "198.51.100.1", clock.now)

    # Hammering a locked account does not keep it locked: the window runs from the last failure.
    assert len(attempts(identity)) == LIMITS.per_account
    throttle.attempt("ada@example.com", "198.51.100.1", clock.now + LIMITS.window)


def test_failures_older_than_the_window_stop_counting_and_are_swept_away(
    identity: Identity, clock: Clock
) -> None:
    throttle = AttemptThrottle(identity.views, LIMITS)
    for n in range(LIMITS.per_address):
        throttle.attempt(f"guess{n}@example.com", "198.51.100.1", clock.now)
    with pytest.raises(ResourceExhausted):
        throttle.attempt("someone@example.com", "198.51.100.1", clock.now)

    throttle.attempt("someone@example.com", "198.51.100.1", clock.now + LIMITS.window)
    assert attempts(identity) == [("login", "someone@example.com")]


def test_an_unknown_address_is_no_address_at_all(identity: Identity, clock: Clock) -> None:
    throttle = AttemptThrottle(identity.views, LIMITS)
    for n in range(LIMITS.per_address + 1):
        throttle.attempt(f"guess{n}@example.com", "", clock.now)


def test_clearing_an_account_forgets_only_its_failures(identity: Identity, clock: Clock) -> None:
    throttle = AttemptThrottle(identity.views, LIMITS)
    for _ in range(LIMITS.per_account):
        throttle.attempt("ada@example.com", "198.51.100.1", clock.now)
        throttle.attempt("bob@example.com", "198.51.100.2", clock.now)

    throttle.clear("ada@example.com")

    throttle.attempt("ada@example.com", "198.51.100.9", clock.now)
    with pytest.raises(ResourceExhausted):
        throttle.attempt("bob@example.com", "198.51.100.9", clock.now)


def test_other_kinds_of_attempt_are_counted_apart_with_their_own_limits(
    identity: Identity, clock: Clock
) -> None:
    logins = AttemptThrottle(identity.views, LIMITS)
    other = logins.scoped("other", AttemptLimits(per_account=1, per_address=1, window=timedelta(1)))
    other.attempt("ada@example.com", "198.51.100.1", clock.now)
    with pytest.raises(ResourceExhausted):
        other.attempt("ada@example.com", "198.51.100.2", clock.now)
    for _ in range(LIMITS.per_account):
        logins.attempt("ada@example.com", "198.51.100.1", clock.now)

    # Neither the logins' shorter window sweeps the others' failures away, nor their clearing.
    logins.attempt("bob@example.com", "198.51.100.1", clock.now + LIMITS.window)
    logins.clear("ada@example.com")
    with pytest.raises(ResourceExhausted):
        other.attempt("ada@example.com", "198.51.100.3", clock.now + LIMITS.window)
    assert attempts(identity) == [("other", "ada@example.com"), ("login", "bob@example.com")]


class SlowCountingHasher(PasswordHasher):
    """Counts the passwords it checks, each taking long enough for every guess to arrive while
    the first are checked, as they would on a loaded server with real argon2 costs."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        super().__init__(time_cost, memory_kib)
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, hash: str, password: str) -> bool:
        with self._lock:
            self.verified += 1
        time.sleep(0.2)
        return super().verify(hash, password)


def test_guesses_sent_at_once_are_checked_no_more_than_the_limit(
    identity: Identity,
    identity_settings: IdentitySettings,
    mailer: RecordingMailer,
    clock: Clock,
) -> None:
    active_account(identity, mailer, "ada@example.com")
    hasher = SlowCountingHasher(
        identity_settings.password_time_cost, identity_settings.password_memory_kib
    )
    identity.passwords = hasher
    limit = identity.throttle.limits.per_account
    guesses = 32
    start = threading.Barrier(guesses)

    def guess(n: int) -> str:
        start.wait()
        try:
            # From a new address each time: only the account's own count can stop this.
            sign_in(identity, "ada@example.com", "wrong password", f"198.51.100.{n}")
        except ClientError as refused:
            return refused.code
        return "logged in"

    with ThreadPoolExecutor(guesses) as pool:
        codes = list(pool.map(guess, range(guesses)))

    # However the race went: none beyond the limit (a burst may even see every guess refused).
    assert hasher.verified <= limit
    assert codes.count("invalid_credentials") == hasher.verified
    assert codes.count("too_many_attempts") == guesses - hasher.verified

    # Once the window has passed, the right password after a few failures still logs in, and
    # those failures no longer count.
    clock.now += identity.throttle.limits.window
    for _ in range(limit - 1):
        fail_to_sign_in(identity, "ada@example.com")
    assert sign_in(identity, "ada@example.com").account.email == "ada@example.com"
    assert attempts(identity) == []
