"""A payment card on an account, known only by its processor token: never by its number.

Requirements "Accepted Payment Methods": the brands the facility accepts (by default Visa,
Mastercard and Discover), never a prepaid card. Requirements "Edit Payment Method": the card funding
the messaging subscription can be neither edited nor removed until the subscription is cancelled or
moved."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import asdict
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from kinlink_identity.domain.account import Address
from kinlink_identity.domain.card_processor import CardDetails
from kinlink_identity.domain.ids import card_id

# A card number is 12 to 19 digits; processor tokens never hold such a run.
_CARD_NUMBER = re.compile(r"\d{12,}")
_NUMBER_SEPARATORS = re.compile(r"[\s-]")
# Issuers print expiry dates a few years ahead; decades ahead is a typing slip.
MAX_YEARS_AHEAD = 20


def checked_token(payment_method: str) -> str:
    """The token as sent, refused if missing or if it is a card number (which is not echoed)."""
    token = payment_method.strip()
    if not token:
        raise InvalidArgument("payment_method_missing", "A payment method token is required.")
    if _CARD_NUMBER.search(_NUMBER_SEPARATORS.sub("", token)):
        raise InvalidArgument(
            "payment_method_not_a_token",
            "Send the card processor's token for the card, never the card number.",
        )
    return token


def check_expiry(exp_month: int, exp_year: int, today: date) -> None:
    """A card is good through the last day of its expiry month."""
    if not 1 <= exp_month <= 12:
        raise InvalidArgument("exp_month_invalid", "The month is 1 to 12.")
    if exp_year > today.year + MAX_YEARS_AHEAD:
        raise InvalidArgument("exp_year_invalid", "Check the expiry year.")
    if (exp_year, exp_month) < (today.year, today.month):
        raise InvalidArgument("card_expired", "This card has expired.")


def check_acceptable(details: CardDetails, accepted_brands: Collection[str], today: date) -> None:
    if details.funding == "prepaid":
        raise InvalidArgument("prepaid_not_supported", "Prepaid cards are not accepted.")
    if details.brand not in accepted_brands:
        raise InvalidArgument(
            "card_brand_not_accepted",
            f"{details.brand} cards are not accepted here; "
            f"use one of: {', '.join(sorted(accepted_brands))}.",
        )
    check_expiry(details.exp_month, details.exp_year, today)


class CardNotFound(NotFound):
    """Also what another account's card, or a removed one, is to its caller."""

    def __init__(self) -> None:
        super().__init__("card_not_found", "No such card.")


class Card(Aggregate):
    class Added(Aggregate.Created):
        account_id: UUID
        payment_method: str
        brand: str
        funding: str
        last4: str
        exp_month: int
        exp_year: int
        billing_address: Address

    class Edited(Aggregate.Event):
        exp_month: int
        exp_year: int
        billing_address: Address

    class Removed(Aggregate.Event):
        pass

    class ChosenToFund(Aggregate.Event):
        """Marked "fund my messaging subscription". Recorded on the card as well as the account,
        so that removing or editing the card at the same moment collides with it."""

    class Readded(Aggregate.Event):
        """The same token added again after it was removed: the card's id derives from it."""

        brand: str
        funding: str
        last4: str
        exp_month: int
        exp_year: int
        billing_address: Address

    @staticmethod
    def create_id(account_id: UUID, payment_method: str, **_: object) -> UUID:
        return card_id(account_id, payment_method)

    @classmethod
    def add(
        cls, account_id: UUID, payment_method: str, details: CardDetails, billing_address: Address
    ) -> Card:
        return cls(account_id, payment_method, billing_address=billing_address, **asdict(details))

    @event(Added)
    def __init__(
        self,
        account_id: UUID,
        payment_method: str,
        brand: str,
        funding: str,
        last4: str,
        exp_month: int,
        exp_year: int,
        billing_address: Address,
    ) -> None:
        self.account_id = account_id
        self.payment_method = payment_method
        self.removed = False
        self._describe(CardDetails(brand, funding, last4, exp_month, exp_year), billing_address)

    def _describe(self, details: CardDetails, billing_address: Address) -> None:
        self.brand = details.brand
        self.funding = details.funding
        self.last4 = details.last4
        self.exp_month = details.exp_month
        self.exp_year = details.exp_year
        self.billing_address = dict(billing_address)

    def check_not_funding(self, subscription_card_id: UUID | None) -> None:
        if subscription_card_id == self.id:
            raise FailedPrecondition(
                "card_funds_messaging_subscription",
                "This card funds your messaging subscription: cancel the messaging subscription "
                "or move it to another card first.",
            )

    def edit(
        self,
        exp_month: int,
        exp_year: int,
        billing_address: Address,
        today: date,
        subscription_card_id: UUID | None,
    ) -> None:
        self.check_not_funding(subscription_card_id)
        check_expiry(exp_month, exp_year, today)
        if (exp_month, exp_year, billing_address) != (
            self.exp_month,
            self.exp_year,
            self.billing_address,
        ):
            self._edited(exp_month, exp_year, billing_address)

    @event(Edited)
    def _edited(self, exp_month: int, exp_year: int, billing_address: Address) -> None:
        self.exp_month = exp_month
        self.exp_year = exp_year
        self.billing_address = dict(billing_address)

    def remove(self, subscription_card_id: UUID | None) -> None:
        self.check_not_funding(subscription_card_id)
        self._removed()

    @event(Removed)
    def _removed(self) -> None:
        self.removed = True

    @event(ChosenToFund)
    def choose_to_fund(self) -> None:
        pass

    def readd(self, details: CardDetails, billing_address: Address) -> None:
        """Back on the account, with what the processor says of it now."""
        if self.removed:
            self._readded(billing_address=billing_address, **asdict(details))

    @event(Readded)
    def _readded(
        self,
        brand: str,
        funding: str,
        last4: str,
        exp_month: int,
        exp_year: int,
        billing_address: Address,
    ) -> None:
        self.removed = False
        self._describe(CardDetails(brand, funding, last4, exp_month, exp_year), billing_address)
