"""Integration events the commissary publishes on `kinlink.commissary.events.v1`, keyed by
resident id: what the resident's orders took from a commissary allowance, and its end.

The ledger holds the family's card for the allowance (AuthorizeAllowance) and captures only what
these events say was used; the rest is released (requirements "What is a Commissary Allowance").
Both events are keyed by the resident, so that an allowance's end never overtakes its last order."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class _AllowanceEvent(IntegrationEvent):
    allowance_id: UUID = Field(description="The commissary's allowance id, as it was authorised.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"])


class AllowanceConsumed(_AllowanceEvent):
    """An order of the resident was paid from the allowance (it is used before the resident's
    commissary balance). Each order counts once, however often it is published."""

    order_id: str = Field(min_length=1, description="The commissary's id for the order.")
    amount_cents: int = Field(gt=0, description="What the order took from the allowance.")


class AllowanceEnded(_AllowanceEvent):
    """No more orders will be paid from the allowance: what was used is captured, the rest of the
    hold released."""
