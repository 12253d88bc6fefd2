"""Integration events the ledger publishes on `kinlink.ledger.events.v1`.

Keys: the resident id for deposits, commissary allowances and orders (a facility integration
sees a resident's money in order), the family member's account id for the messaging subscription
and its wallet. No event carries a card number, a processor's client secret or a journal entry.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel
from pydantic import ConfigDict
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
    # The card processor refused the payment request itself (not the card): nothing was charged.
    PAYMENT_REFUSED = "payment_refused"


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


class _AccountEvent(IntegrationEvent):
    account_id: UUID = Field(description="The family member's account: the partition key.")


class MessagingSubscriptionSetUp(_AccountEvent):
    """The account has a messaging subscription at this facility again; its first funding is
    under way (WalletFunded or WalletFundingFailed follows)."""

    facility_id: str = Field(examples=["FAC-DEMO"])
    funding_amount_cents: int = Field(gt=0, description="What each funding charges the card.")


class MessagingSubscriptionDisabled(_AccountEvent):
    """The card is no longer charged for messaging (the credit left can still be spent): the
    card that funded the subscription may now be edited or removed, and setting the subscription
    up again needs a card marked for it again."""

    card_id: UUID = Field(description="The card that funded it, as identity chose it.")
    card_choice: int | None = Field(
        default=None,
        ge=1,
        description="The `choice` of identity's MessagingSubscriptionCardChosen that made it the "
        "subscription's card; absent for a choice published without one.",
    )


class _FundingEvent(_AccountEvent):
    funding_id: UUID
    facility_id: str = Field(examples=["FAC-DEMO"])
    amount_cents: int = Field(gt=0, description="What the card was asked for, in US cents.")


class WalletFunded(_FundingEvent):
    """The card was charged and the amount added to the wallet."""

    payment_reference: str = Field(description="The processor's id of the charge.")
    receipt_number: str = Field(description="Printed on the family member's receipt.")


class WalletFundingFailed(_FundingEvent):
    """Nothing was charged: the card was declined or the payer did not authenticate."""

    reason: DeclineReason


class ChargedItem(BaseModel):
    """One part of a charge: `quantity` units of `kind` at `unit_price_cents` each."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: str = Field(examples=["message", "image", "sms_segment", "video_minute"])
    quantity: int = Field(gt=0)
    unit_price_cents: int = Field(ge=0)


class WalletCharged(_AccountEvent):
    """Messages, images, SMS segments or video minutes were paid from the wallet, once per
    reference, all the charge's items or none; operators' credit is spent first."""

    charge_id: UUID
    reference: str = Field(description="The caller's id of what was charged (e.g. a message id).")
    facility_id: str = Field(examples=["FAC-DEMO"])
    kind: str = Field(
        description="The first item's kind (the only one before charges had items).",
        examples=["message", "image", "sms_segment", "video_minute"],
    )
    quantity: int = Field(gt=0, description="The first item's quantity.")
    unit_price_cents: int = Field(ge=0, description="The first item's unit price.")
    items: list[ChargedItem] | None = Field(
        default=None,
        description="Every item charged (e.g. a message and its images); absent from events "
        "published before charges had items, which were of `kind` alone.",
    )
    amount_cents: int = Field(
        ge=0, description="The whole charge: each item's quantity times its unit price, summed."
    )
    from_credit_cents: int = Field(ge=0, description="What operators' credit paid.")
    from_funded_cents: int = Field(ge=0, description="What card-funded credit paid.")
    balance_after_cents: int = Field(ge=0)


class WalletCredited(_AccountEvent):
    """An operator credited the wallet (e.g. a refund for a dropped video call), once per
    reference; it is spent before card-funded credit."""

    credit_id: UUID
    reference: str = Field(description="What the credit settles, e.g. a call or support request.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    kind: str = Field(description="The service the credit makes good.", examples=["video_minute"])
    amount_cents: int = Field(gt=0)
    reason: str


class WalletChargeRefunded(_AccountEvent):
    """A charge was given back (e.g. a message the facility rejected), once: what operators'
    credit paid is credit again, what card-funded credit paid is funded credit again."""

    charge_id: UUID
    reference: str = Field(description="The refunded charge's reference.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    amount_cents: int = Field(ge=0, description="Exactly what the charge took.")
    reason: str


class _AllowanceEvent(IntegrationEvent):
    allowance_id: UUID = Field(description="The commissary's allowance id.")
    account_id: UUID = Field(description="The family member whose card is held.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"], description="The partition key.")
    amount_cents: int = Field(gt=0, description="The allowance: what the card is held for.")


class AllowanceAuthorized(_AllowanceEvent):
    """The card is held for the allowance; the resident's commissary orders are paid from it."""


class AllowanceDeclined(_AllowanceEvent):
    """Nothing is held: the card was refused or declined."""

    reason: DeclineReason


class AllowanceEnded(_AllowanceEvent):
    """No more orders are paid from the allowance: what was used is captured, the rest of the
    hold released, and nothing stays held on the card."""

    captured_cents: int = Field(ge=0, description="What the orders used: charged to the card.")
    released_cents: int = Field(ge=0, description="The rest of the hold, released.")
    receipt_number: str | None = Field(
        default=None, description="The receipt of the capture; none when nothing was used."
    )


class _CommissaryOrderEvent(IntegrationEvent):
    order_id: UUID = Field(description="The commissary's order id.")
    attempt: int = Field(ge=1, description="The commissary's attempt to charge the order.")
    account_id: UUID = Field(description="The family member whose card is charged.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"], description="The partition key.")
    amount_cents: int = Field(gt=0, description="The order's total, in US cents.")


class CommissaryOrderCharged(_CommissaryOrderEvent):
    """The card was charged for the order: its only capture (all sales are final)."""

    payment_reference: str = Field(description="The processor's id of the charge.")
    receipt_number: str = Field(description="Printed on the family member's receipt.")


class CommissaryOrderChargeDeclined(_CommissaryOrderEvent):
    """Nothing was charged for this attempt: the card was refused or declined."""

    reason: DeclineReason
