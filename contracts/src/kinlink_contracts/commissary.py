"""Integration events the commissary publishes on `kinlink.commissary.events.v1`, keyed by
resident id: allowances (created, what the resident's purchases took from them, their end) and
commissary-pack orders (placed, changed, cancelled, paid, shipped, delivered, overdue, and what
became of them when the resident left).

The ledger holds the family's card for the allowance (AuthorizeAllowance) and captures only what
these events say was used; the rest is released (requirements "What is a Commissary Allowance").
Every event is keyed by the resident, so that an allowance's end never overtakes its last
purchase. No event carries a card, an email or a name of a person."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class _AllowanceEvent(IntegrationEvent):
    allowance_id: UUID = Field(description="The commissary's allowance id, as it was authorised.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"])


class AllowanceCreated(_AllowanceEvent):
    """A family member gave the resident an allowance and the card is held for it. The resident
    is not told (requirements: it is the family's job)."""

    account_id: UUID = Field(description="The family member whose card is held.")
    amount_cents: int = Field(gt=0, description="The allowance: what the card is held for.")
    period_ends_at: AwareDatetime = Field(description="When it ends unless ended earlier.")


class AllowanceConsumed(_AllowanceEvent):
    """An order of the resident was paid from the allowance (it is used before the resident's
    commissary balance). Each order counts once, however often it is published."""

    order_id: str = Field(min_length=1, description="The commissary's id for the order.")
    amount_cents: int = Field(gt=0, description="What the order took from the allowance.")


class AllowanceEnded(_AllowanceEvent):
    """No more orders will be paid from the allowance: what was used is captured, the rest of the
    hold released."""


class OrderCancelReason(StrEnum):
    BY_USER = "by_user"
    RESIDENT_RELEASED = "resident_released"
    RESIDENT_TRANSFERRED = "resident_transferred"


class ResidentLeft(StrEnum):
    TRANSFERRED = "transferred"
    RELEASED = "released"


class PackDecision(StrEnum):
    """What the facility did with a pack whose resident had left."""

    RETURNED_TO_VENDOR = "returned_to_vendor"
    HELD_FOR_PICKUP = "held_for_pickup"
    FORWARDED = "forwarded"
    GIVEN_TO_RESIDENT = "given_to_resident"
    DISCARDED = "discarded"


class OrderItem(BaseModel):
    """One line of an order at the price frozen when it was placed or changed."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sku: str = Field(min_length=1, examples=["SNK-001"])
    name: str = Field(examples=["Peanut butter crackers"])
    quantity: int = Field(gt=0)
    unit_price_cents: int = Field(ge=0)


class _OrderEvent(IntegrationEvent):
    order_id: UUID = Field(description="The commissary's order id (the client's key).")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"], description="The partition key.")


class OrderPlaced(_OrderEvent):
    """A family member placed a commissary-pack order (not yet paid)."""

    account_id: UUID
    vendor: str
    items: tuple[OrderItem, ...]
    total_cents: int = Field(ge=0)


class OrderChanged(_OrderEvent):
    """The order's items or payment method changed before it was charged."""

    items: tuple[OrderItem, ...]
    total_cents: int = Field(ge=0)


class OrderCancelled(_OrderEvent):
    reason: OrderCancelReason


class OrderIncomplete(_OrderEvent):
    """The order waits for the family: a payment method to choose, or a declined charge."""

    reason: str = Field(examples=["payment_method_missing", "card_declined"])


class OrderPaid(_OrderEvent):
    """The order was charged: what the vendor fulfils, and the receipt identity emails."""

    account_id: UUID
    vendor: str
    items: tuple[OrderItem, ...]
    total_cents: int = Field(gt=0)
    receipt_number: str = Field(description="The ledger's receipt of the charge.")
    paid_at: AwareDatetime


class OrderShipped(_OrderEvent):
    carrier: str
    tracking_number: str
    shipped_at: AwareDatetime


class OrderDelivered(_OrderEvent):
    delivered_at: AwareDatetime


class OrderOverdue(_OrderEvent):
    """Not delivered 7 days after it was paid: flagged for support."""

    flagged_at: AwareDatetime


class OrderResidentLeft(_OrderEvent):
    """The resident left the facility before the paid pack was delivered."""

    left: ResidentLeft
    left_at: AwareDatetime


class OrderPackDecided(_OrderEvent):
    """What the facility did with the pack of a resident who had left."""

    decision: PackDecision
    note: str = ""
    decided_at: AwareDatetime
