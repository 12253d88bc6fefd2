"""Failed attempts (logins, ID verifications), counted per account and per client address in the
identity database.

Every identity replica shares the table, so an attacker gains nothing by spreading guesses over
replicas. An attempt is counted before it is checked: guesses sent all at once count against
each other while they are in flight, and of them no more than the limit are checked. Rows
outlive the window only until the next attempt of their kind sweeps them away.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

from kinlink_kit.errors import ResourceExhausted
from kinlink_kit.views import ViewStore

# `scope` tells the kinds of attempt apart (`login`, `id-verification`): each has its limits.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS throttled_attempts (
    attempt_id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    attempted_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS throttled_attempts_account
    ON throttled_attempts (scope, account, attempted_at);
CREATE INDEX IF NOT EXISTS throttled_attempts_address
    ON throttled_attempts (scope, address, attempted_at);
CREATE INDEX IF NOT EXISTS throttled_attempts_attempted_at
    ON throttled_attempts (scope, attempted_at)
"""

# An unknown address is passed as NULL, which equals nothing.
_COUNT = """
SELECT
    COALESCE(SUM(CASE WHEN account = :account THEN 1 ELSE 0 END), 0) AS account_attempts,
    COALESCE(SUM(CASE WHEN address = :address THEN 1 ELSE 0 END), 0) AS address_attempts
FROM throttled_attempts
WHERE scope = :scope AND (account = :account OR address = :address) AND attempted_at > :since
"""

LOGIN = "login"


@dataclass(frozen=True)
class AttemptLimits:
    """At most this many failures within `window`, for one account and for one address."""

    per_account: int
    per_address: int
    window: timedelta


class AttemptThrottle:
    def __init__(self, views: ViewStore, limits: AttemptLimits, scope: str = LOGIN) -> None:
        self.views = views
        self.limits = limits
        self.scope = scope
        self.create_table(views)

    @staticmethod
    def create_table(views: ViewStore) -> None:
        """Its table, which needs no limits: identity's `migrate` creates it too."""
        views.create(_SCHEMA)

    def scoped(self, scope: str, limits: AttemptLimits) -> AttemptThrottle:
        """Attempts of another kind, in the same table but counted apart, with their own limits."""
        other = copy.copy(self)
        other.scope, other.limits = scope, limits
        return other

    def attempt(self, account: str, address: str, now: datetime) -> str:
        """Count an attempt on `account` from `address` (empty when unknown) before it is
        checked; it stays counted as a failure until `clear` or `withdraw`. Refused, and not
        counted, when with it the account or the address would go over its limit: the refusal
        does not say which, so it reveals nothing about the account."""
        attempt_id = uuid4().hex
        with self.views.transaction() as cursor:
            cursor.execute(
                "DELETE FROM throttled_attempts WHERE scope = :scope AND attempted_at <= :since",
                {"scope": self.scope, "since": self._since(now)},
            )
            cursor.execute(
                "INSERT INTO throttled_attempts (attempt_id, scope, account, address, attempted_at)"
                " VALUES (:attempt_id, :scope, :account, :address, :attempted_at)",
                {
                    "attempt_id": attempt_id,
                    "scope": self.scope,
                    "account": account,
                    "address": address,
                    "attempted_at": now.timestamp(),
                },
            )
        # Counted once the row is committed, so each attempt sees its own and every one recorded
        # before it: of attempts racing each other, at most the limit get through (in a burst,
        # possibly none: refused attempts count until they are withdrawn).
        counts = self.views.query(
            _COUNT,
            {
                "scope": self.scope,
                "account": account,
                "address": address or None,
                "since": self._since(now),
            },
        )[0]
        if (
            counts["account_attempts"] > self.limits.per_account
            or counts["address_attempts"] > self.limits.per_address
        ):
            self.withdraw(attempt_id)
            raise ResourceExhausted(
                "too_many_attempts", "Too many failed attempts; try again later."
            )
        return attempt_id

    def withdraw(self, attempt_id: str) -> None:
        """Stop counting an attempt that was not checked after all."""
        with self.views.transaction() as cursor:
            cursor.execute(
                "DELETE FROM throttled_attempts WHERE attempt_id = :attempt_id",
                {"attempt_id": attempt_id},
            )

    def clear(self, account: str) -> None:
        """After a success: the account's earlier failures no longer count against it."""
        with self.views.transaction() as cursor:
            cursor.execute(
                "DELETE FROM throttled_attempts WHERE scope = :scope AND account = :account",
                {"scope": self.scope, "account": account},
            )

    def _since(self, now: datetime) -> float:
        return (now - self.limits.window).timestamp()
