"""An email address held by one account at a time."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_identity.domain.ids import email_claim_id


class EmailClaim(Aggregate):
    """Saved with the account that takes the address: a second taker collides on the claim's id.

    A released address (the account moved to another, or was closed and erased) can be taken
    again."""

    class Claimed(Aggregate.Created):
        email: str
        account_id: UUID

    class Reclaimed(Aggregate.Event):
        account_id: UUID

    class Released(Aggregate.Event):
        pass

    @staticmethod
    def create_id(email: str, **_: object) -> UUID:
        return email_claim_id(email)

    @event(Claimed)
    def __init__(self, email: str, account_id: UUID) -> None:
        self.email = email
        self.account_id: UUID | None = account_id

    @property
    def held(self) -> bool:
        return self.account_id is not None

    @event(Reclaimed)
    def reclaim(self, account_id: UUID) -> None:
        self.account_id = account_id

    @event(Released)
    def release(self) -> None:
        self.account_id = None
