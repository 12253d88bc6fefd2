"""Single-use, expiring tokens sent by email: activation, password reset, email change,
reactivation. Only a digest of the token is kept; the token itself exists only in the email."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.ids import one_time_token_id


class TokenPurpose(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"
    REACTIVATION = "reactivation"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OneTimeToken(Aggregate):
    class Issued(Aggregate.Created):
        # The digest only (the aggregate's id derives from it): it cannot be turned back into
        # the emailed token.
        token_digest: str
        purpose: TokenPurpose
        account_id: UUID
        expires_at: datetime
        # What the token confirms beyond the account, e.g. the new address of an email change.
        subject: str

    class Used(Aggregate.Event):
        pass

    @staticmethod
    def create_id(token_digest: str, **_: object) -> UUID:
        return one_time_token_id(token_digest)

    @classmethod
    def issue(
        cls, purpose: TokenPurpose, account_id: UUID, expires_at: datetime, subject: str = ""
    ) -> tuple[OneTimeToken, str]:
        """A new token aggregate and the token to email (which is not stored)."""
        token = new_token()
        return cls(digest(token), purpose, account_id, expires_at, subject), token

    @event(Issued)
    def __init__(
        self,
        token_digest: str,
        purpose: TokenPurpose,
        account_id: UUID,
        expires_at: datetime,
        subject: str = "",
    ) -> None:
        self.purpose = TokenPurpose(purpose)
        self.account_id = account_id
        self.expires_at = expires_at
        self.subject = subject
        self.used = False

    def use(self, purpose: TokenPurpose, now: datetime) -> None:
        """Spend the token; used and other-purpose tokens are refused alike, expired ones say so."""
        if self.purpose is not purpose or self.used:
            raise InvalidArgument("token_invalid", "This link is not valid.")
        if now >= self.expires_at:
            raise InvalidArgument("token_expired", "This link has expired; ask for a new one.")
        self._used()

    @event(Used)
    def _used(self) -> None:
        self.used = True
