"""Integration events the ledger publishes on `kinlink.ledger.events.v1`, keyed by resident id."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class DeclineReason(StrEnum):
    """Stable reason codes a family sees when a deposit is declined."""

    LIMIT_EXCEEDED = "limit_exceeded"
    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXPIRED_CARD = "expired_card"
    PAYER_AUTHENTICATION_FAILED = "payer_authentication_failed"
    PAYER_AUTHENTICATION_UNAVAILABLE = "payer_authentication_unavailable"
    PREPAID_NOT_SUPPORTED = "prepaid_not_supported"
    CARD_BRAND_NOT_ACCEPTED = "card_brand_not_accepted"
    QUOTE_EXPIRED = "quote_expired"


class _DepositEvent(IntegrationEvent):
    deposit_id: UUID = Field(description="The deposit; derived from the quote id.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"])
    depositor_id: str = Field(description="The family member's account id.")
    amount_cents: int = Field(gt=0, description="What reaches the resident, in US cents.")
    fee_cents: int = Field(ge=0, description="The facility's deposit fee, in US cents.")


class DepositRequested(_DepositEvent):
    """A family member confirmed a quote; the amount is reserved in the resident's week."""

    week_start: str = Field(
        description="Sunday that starts the deposit week, in the facility's time zone (ISO date)."
    )


class DepositCaptured(_DepositEvent):
    """The card was charged; the facility may now post the deposit to the resident's account."""

    total_cents: int = Field(gt=0, description="Amount plus fee: what the card was charged.")
    payment_reference: str = Field(description="The processor's id of the charge.")
    receipt_number: str = Field(description="Printed on the family member's receipt.")


class DepositDeclined(_DepositEvent):
    """Nothing was charged, or the charge failed; any reservation in the week is released."""

    reason: DeclineReason
