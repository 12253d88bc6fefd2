"""The login throttle's table, shared by every identity replica, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from kinlink_identity.adapters.login_throttle import LoginLimits, LoginThrottle
from kinlink_identity.service_layer.identity import Identity
from kinlink_kit.errors import ResourceExhausted

from tests.conftest import Clock

LIMITS = LoginLimits(per_account=3, per_address=5, window=timedelta(minutes=15))


def test_replicas_count_the_same_failures(identity: Identity, clock: Clock) -> None:
    one, other = LoginThrottle(identity.views, LIMITS), LoginThrottle(identity.views, LIMITS)
    one.record_failure("ada@example.com", "198.51.100.1", clock.now)
    other.record_failure("ada@example.com", "198.51.100.2", clock.now)
    one.check("ada@example.com", "198.51.100.3", clock.now)
    one.record_failure("ada@example.com", "198.51.100.3", clock.now)

    with pytest.raises(ResourceExhausted):
        other.check("ada@example.com", "198.51.100.4", clock.now)


def test_failures_older_than_the_window_stop_counting_and_are_swept_away(
    identity: Identity, clock: Clock
) -> None:
    throttle = LoginThrottle(identity.views, LIMITS)
    for n in range(LIMITS.per_address):
        throttle.record_failure(f"guess{n}@example.com", "198.51.100.1", clock.now)
    with pytest.raises(ResourceExhausted):
        throttle.check("someone@example.com", "198.51.100.1", clock.now)

    later = clock.now + LIMITS.window
    throttle.check("someone@example.com", "198.51.100.1", later)
    throttle.record_failure("someone@example.com", "198.51.100.1", later)
    rows = identity.views.query("SELECT email FROM login_failures")
    assert rows == [{"email": "someone@example.com"}]


def test_clearing_an_account_forgets_only_its_failures(identity: Identity, clock: Clock) -> None:
    throttle = LoginThrottle(identity.views, LIMITS)
    for _ in range(LIMITS.per_account):
        throttle.record_failure("ada@example.com", "198.51.100.1", clock.now)
        throttle.record_failure("bob@example.com", "198.51.100.2", clock.now)

    throttle.clear("ada@example.com")

    throttle.check("ada@example.com", "198.51.100.9", clock.now)
    with pytest.raises(ResourceExhausted):
        throttle.check("bob@example.com", "198.51.100.9", clock.now)
