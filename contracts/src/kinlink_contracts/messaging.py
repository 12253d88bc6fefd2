"""Integration events messaging publishes on `kinlink.messaging.events.v1`, keyed by resident id.

A message's life: MessageSubmitted (paid for; a resident's reply is submitted unpaid), then
MessageApproved or MessageRejected (at once where the facility does not review), then
MessageDelivered, MessageRead and MessageExpired 14 days after it was read. No event carries a
message's body or an image's bytes: readers fetch them through `MessagingService`, whose rules
(review, blocks, expiry, collect payment) decide who sees what. Images are named by their keys in
the object store and their SHA-256, so a reader can check what it fetched.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class MessageDirection(StrEnum):
    TO_RESIDENT = "to_resident"  # a family member wrote to the resident
    FROM_RESIDENT = "from_resident"  # the resident's reply, posted by the facility's system


class MessageImage(BaseModel):
    """An image of a message as stored: re-encoded, its metadata stripped."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: str = Field(examples=["messages/5b1c.../0.jpg"], description="The object's key.")
    thumbnail_key: str = Field(examples=["messages/5b1c.../0-thumb.jpg"])
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Of the stored object's bytes.")
    content_type: str = Field(examples=["image/jpeg"])
    width: int = Field(gt=0, description="In pixels.")
    height: int = Field(gt=0, description="In pixels.")
    size_bytes: int = Field(gt=0)


class _MessageEvent(IntegrationEvent):
    message_id: UUID
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"], description="The partition key.")
    account_id: UUID = Field(description="The family member who wrote or is written to.")
    direction: MessageDirection


class MessageSubmitted(_MessageEvent):
    """The message is accepted: a family member's is paid for (`payment_reference` in the
    ledger's wallet); a resident's reply costs its sender nothing, and a `collect` one is paid by
    the family member when opening it. Review, or approval at once, follows."""

    collect: bool = False
    images: list[MessageImage] = Field(default_factory=list)
    amount_cents: int = Field(ge=0, description="What the wallet was charged, in US cents.")
    payment_reference: str | None = Field(
        default=None, examples=["message:5b1c..."], description="The wallet charge's reference."
    )


class MessageApproved(_MessageEvent):
    """The facility let the message through."""

    officer_id: str | None = Field(
        default=None,
        description="The officer who approved it; none where the facility does not "
        "review messages.",
    )


class MessageRejected(_MessageEvent):
    """An officer of the facility refused the message; it is never delivered."""

    officer_id: str
    reason: str = Field(min_length=1, description="The officer's reason, shown to the sender.")


class MessageDelivered(_MessageEvent):
    """The message reached its reader's inbox: the resident's (`to_resident`), or the family
    member's (`from_resident`: the SMS gateway tells the account's phone)."""

    collect: bool = Field(default=False, description="The family member pays when opening it.")


class MessageRead(_MessageEvent):
    """Its reader opened the message for the first time: it expires 14 days later."""

    expires_at: AwareDatetime = Field(description="When it can no longer be read, in UTC.")


class MessageExpired(_MessageEvent):
    """The message can no longer be read; its images' objects are deleted."""
