"""Integration events identity publishes on `kinlink.identity.events.v1`.

Keys: the account id for accounts and cards, the facility id for facilities, and the resident id
for residents (whose booking events, from operators or facility systems alike, are republished
here with the models of `kinlink_contracts.facility`). No event carries a password, a token or
anything of an identity document.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility_settings import FacilitySettings


class _AccountEvent(IntegrationEvent):
    account_id: UUID


class AccountRegistered(_AccountEvent):
    """Someone has an account: a family member who signed up (inactive until the email is
    confirmed), or staff an operator created (active at once)."""

    email: str = Field(description="Lower-cased; the account's unique id among people.")
    first_name: str
    last_name: str
    time_zone: str = Field(examples=["America/Chicago"])


class AccountActivated(_AccountEvent):
    """The activation link was followed (and identity verified, where that was required)."""


class AccountDetailsChanged(_AccountEvent):
    first_name: str
    last_name: str
    time_zone: str
    phone: str


class AccountEmailChanged(_AccountEvent):
    email: str


class EmailSubscriptionChanged(_AccountEvent):
    """Unsubscribed accounts get no notification emails (and cannot reset their password)."""

    subscribed: bool


class AccountClosed(_AccountEvent):
    pass


class AccountReactivated(_AccountEvent):
    pass


class AccountIdVerified(_AccountEvent):
    """An identity-verification provider confirmed who the account holder is."""

    provider_reference: str


class CardAdded(_AccountEvent):
    card_id: UUID
    brand: str = Field(examples=["visa"])
    last4: str = Field(pattern=r"^\d{4}$")
    exp_month: int = Field(ge=1, le=12)
    exp_year: int
    payment_method: str | None = Field(
        default=None,
        description="The processor's token for the card: the ledger charges only the cards an "
        "account added. Absent from events published before it was added.",
    )


class CardRemoved(_AccountEvent):
    card_id: UUID


class MessagingSubscriptionCardChosen(_AccountEvent):
    """This card now funds the account's messaging subscription, replacing any other."""

    card_id: UUID
    payment_method: str = Field(description="The processor's token for the card.")
    choice: int | None = Field(
        default=None,
        ge=1,
        description="Counts the account's choices (1, 2, ...): the ledger names the choice its "
        "MessagingSubscriptionDisabled released, so that identity leaves a later one in place.",
    )


class FacilityConfigured(IntegrationEvent):
    """A facility's settings, whole: a consumer replaces what it knew with these."""

    facility_id: str = Field(examples=["FAC-DEMO"])
    revision: int = Field(ge=1, description="Increases with each change; ignore older ones.")
    settings: FacilitySettings
