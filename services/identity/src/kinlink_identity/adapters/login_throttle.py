"""Failed logins, counted per account and per client address in the identity database.

Every identity replica shares the table, so an attacker gains nothing by spreading guesses over
replicas. Rows outlive the window only until the next failure sweeps them away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kinlink_kit.errors import ResourceExhausted
from kinlink_kit.views import ViewStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS login_failures (
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    failed_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_email ON login_failures (email, failed_at);
CREATE INDEX IF NOT EXISTS login_failures_address ON login_failures (address, failed_at);
CREATE INDEX IF NOT EXISTS login_failures_failed_at ON login_failures (failed_at)
"""

_COUNT = """
SELECT
    COALESCE(SUM(CASE WHEN email = :email THEN 1 ELSE 0 END), 0) AS account_failures,
    COALESCE(SUM(CASE WHEN address = :address THEN 1 ELSE 0 END), 0) AS address_failures
FROM login_failures
WHERE (email = :email OR address = :address) AND failed_at > :since
"""


@dataclass(frozen=True)
class LoginLimits:
    """At most this many failures within `window`, for one account and for one address."""

    per_account: int
    per_address: int
    window: timedelta


class LoginThrottle:
    def __init__(self, views: ViewStore, limits: LoginLimits) -> None:
        self.views = views
        self.limits = limits
        views.create(_SCHEMA)

    def check(self, email: str, address: str, now: datetime) -> None:
        """Refuse the attempt when the account or the address has failed too often lately. The
        refusal does not say which, so it reveals nothing about the account."""
        counts = self.views.query(
            _COUNT, {"email": email, "address": address, "since": self._since(now)}
        )[0]
        if (
            counts["account_failures"] >= self.limits.per_account
            or counts["address_failures"] >= self.limits.per_address
        ):
            raise ResourceExhausted(
                "too_many_attempts", "Too many failed attempts; try again later."
            )

    def record_failure(self, email: str, address: str, now: datetime) -> None:
        with self.views.transaction() as cursor:
            cursor.execute(
                "DELETE FROM login_failures WHERE failed_at <= :since", {"since": self._since(now)}
            )
            cursor.execute(
                "INSERT INTO login_failures (email, address, failed_at) "
                "VALUES (:email, :address, :failed_at)",
                {"email": email, "address": address, "failed_at": now.timestamp()},
            )

    def clear(self, email: str) -> None:
        """After a success: the account's earlier failures no longer count against it."""
        with self.views.transaction() as cursor:
            cursor.execute("DELETE FROM login_failures WHERE email = :email", {"email": email})

    def _since(self, now: datetime) -> float:
        return (now - self.limits.window).timestamp()
