"""Integration events facility systems publish on `kinlink.facility.events.v1`."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from kinlink_contracts.commissary import PackDecision
from kinlink_contracts.envelope import IntegrationEvent


class DepositPosted(IntegrationEvent):
    """The facility's trust-account system credited a captured deposit to the resident."""

    deposit_id: UUID
    facility_id: str
    resident_id: str
    posted_reference: str = Field(description="The facility system's own id for the posting.")


class _ResidentEvent(IntegrationEvent):
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(
        min_length=1, description="The facility's own id for the resident; unique within it."
    )


class ResidentBooked(_ResidentEvent):
    """The resident is held at the facility from now on."""

    first_name: str = Field(min_length=1)
    last_name: str = Field(min_length=1)


class ResidentTransferred(_ResidentEvent):
    """The resident moved to another facility, which may know them by another id."""

    to_facility_id: str
    to_resident_id: str | None = Field(
        default=None, description="The id at the new facility; the same id when absent."
    )


class ResidentReleased(_ResidentEvent):
    """The resident left custody: no more deposits, messages or visits."""


class ResidentMessagePosted(_ResidentEvent):
    """A resident's reply to a family member, from the facility's kiosk or tablet system (instead
    of `MessagingService.PostReply`). Posting it again with the same `client_key` is one message.
    Messaging dead-letters a reply it refuses (no earlier message between them, a family member
    who blocked the resident, a body too long)."""

    account_id: UUID = Field(description="The family member the resident answers.")
    body: str = Field(description="The text, at most 6,000 characters.")
    collect: bool = Field(
        default=False, description="The family member pays for it when opening it."
    )
    client_key: str = Field(
        min_length=1, description="The facility system's own id for the reply, unique per resident."
    )


class CommissaryPurchased(_ResidentEvent):
    """The resident bought commissary: the platform pays it from the resident's allowances first
    (oldest first), the rest from the resident's own balance at the facility. The same
    order_reference reported again is one purchase."""

    order_reference: str = Field(
        min_length=1, description="The facility system's own id for the purchase."
    )
    amount_cents: int = Field(gt=0, description="What the purchase cost, in US cents.")
    purchased_at: AwareDatetime


class CatalogItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    sku: str = Field(min_length=1, examples=["SNK-001"])
    name: str = Field(min_length=1)
    description: str = ""
    category: str = Field(min_length=1, examples=["Snacks"])
    price_cents: int = Field(gt=0)
    max_per_order: int = Field(gt=0)


class CommissaryCatalogPublished(IntegrationEvent):
    """The facility's vendor catalog for commissary packs, whole: items absent from it are no
    longer available."""

    facility_id: str = Field(examples=["FAC-DEMO"])
    vendor: str = Field(min_length=1)
    order_limit_cents: int = Field(gt=0, description="Most one order may cost.")
    max_items_per_order: int = Field(gt=0, description="Most items one order may hold.")
    items: tuple[CatalogItem, ...]


class _PackEvent(IntegrationEvent):
    order_id: UUID = Field(description="The commissary's order id.")


class CommissaryPackShipped(_PackEvent):
    carrier: str = Field(min_length=1)
    tracking_number: str = Field(min_length=1)


class CommissaryPackDelivered(_PackEvent):
    delivered_at: AwareDatetime


class CommissaryPackDecided(_PackEvent):
    """What the facility did with the pack of a resident who left before it arrived."""

    decision: PackDecision
    note: str = ""
