"""AddCard, EditCard, RemoveCard and ListCards: a family member's payment methods.

A card is known by the processor's token alone and is the account's own: to anyone else it does
not exist. Marking a card "fund my messaging subscription" moves the subscription to it from the
card that funded it, which can then be edited or removed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from kinlink_contracts.facility_settings import DEFAULT_CARD_BRANDS
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unavailable

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account_details import checked_address
from kinlink_identity.domain.card import Card
from kinlink_identity.domain.card import CardNotFound
from kinlink_identity.domain.card import check_acceptable
from kinlink_identity.domain.card import checked_token
from kinlink_identity.domain.card_processor import CardDetails
from kinlink_identity.domain.card_processor import CardProcessorUnavailable
from kinlink_identity.domain.card_processor import UnknownPaymentMethod
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class AddCard:
    account_id: str
    payment_method: str
    billing_address: Address
    fund_messaging_subscription: bool = False
    # The facility the card will pay at, whose accepted brands apply; none: the default brands.
    facility_id: str = ""


@dataclass(frozen=True)
class EditCard:
    """Only what is not None changes."""

    account_id: str
    card_id: str
    exp_month: int | None = None
    exp_year: int | None = None
    billing_address: Address | None = None
    fund_messaging_subscription: bool | None = None


@dataclass(frozen=True)
class AccountCard:
    card: Card
    funds_messaging_subscription: bool

    @classmethod
    def of(cls, card: Card, account: Account) -> AccountCard:
        return cls(card, account.messaging_subscription_card_id == card.id)


def add_card(identity: Identity, command: AddCard) -> AccountCard:
    token = checked_token(command.payment_method)
    billing_address = checked_address(command.billing_address)
    details = _details(identity, token)
    accepted = _accepted_brands(identity, command.facility_id)

    def attempt() -> AccountCard:
        account = identity.account(command.account_id)
        account.check_active()
        check_acceptable(details, accepted, _today(identity))
        card = identity.find(Card.create_id(account.id, token), Card)
        if card is None:
            card = Card.add(account.id, token, details, billing_address)
        else:
            # The same token again is the same card: back if it was removed, else as it is.
            card.readd(details, billing_address)
        if command.fund_messaging_subscription:
            _fund_with(account, card)
        identity.store.save(card, account)
        return AccountCard.of(card, account)

    # A change saved between our read and our write (a double click, another device) is retried.
    return identity.retrying(attempt)


def _fund_with(account: Account, card: Card) -> None:
    """The card funds the messaging subscription from now on, in place of any other."""
    if account.messaging_subscription_card_id != card.id:
        card.choose_to_fund()
        account.choose_messaging_subscription_card(card.id)


def edit_card(identity: Identity, command: EditCard) -> AccountCard:
    changes_details = any(
        value is not None
        for value in (command.exp_month, command.exp_year, command.billing_address)
    )
    if not changes_details and command.fund_messaging_subscription is None:
        raise InvalidArgument("fields_missing", "Name the fields to change.")
    billing_address = (
        None if command.billing_address is None else checked_address(command.billing_address)
    )

    def attempt() -> AccountCard:
        account = identity.account(command.account_id)
        account.check_active()
        card = _owned_card(identity, account, command.card_id)
        funding_card_id = account.messaging_subscription_card_id
        if changes_details:
            card.edit(
                card.exp_month if command.exp_month is None else command.exp_month,
                card.exp_year if command.exp_year is None else command.exp_year,
                card.billing_address if billing_address is None else billing_address,
                _today(identity),
                funding_card_id,
            )
        if command.fund_messaging_subscription:
            _fund_with(account, card)
        elif command.fund_messaging_subscription is False:
            # Unmarking the funding card would cancel the subscription: that is done there.
            card.check_not_funding(funding_card_id)
        identity.store.save(card, account)
        return AccountCard.of(card, account)

    return identity.retrying(attempt)


def remove_card(identity: Identity, account_id: str, card_id: str) -> None:
    def attempt() -> None:
        account = identity.account(account_id)
        account.check_active()
        card = _owned_card(identity, account, card_id)
        card.remove(account.messaging_subscription_card_id)
        identity.store.save(card)

    identity.retrying(attempt)


def list_cards(identity: Identity, account_id: str) -> list[AccountCard]:
    """The account's cards in the order it added them; removed ones are left out."""
    account = identity.account(account_id)
    cards = [
        identity.require(card_id, Card, CardNotFound)
        for card_id in identity.card_list.card_ids(account.id)
    ]
    return [AccountCard.of(card, account) for card in cards if not card.removed]


def _details(identity: Identity, token: str) -> CardDetails:
    try:
        return identity.cards.details(token)
    except UnknownPaymentMethod:
        raise InvalidArgument(
            "payment_method_unknown", "The card processor does not know this card."
        ) from None
    except CardProcessorUnavailable:
        raise Unavailable(
            "card_processor_unavailable", "We could not reach the card processor; try again."
        ) from None


def _accepted_brands(identity: Identity, facility_id: str) -> Collection[str]:
    if not facility_id:
        return DEFAULT_CARD_BRANDS
    return identity.facilities.settings(facility_id).accepted_card_brands


def _owned_card(identity: Identity, account: Account, raw_card_id: str) -> Card:
    try:
        card = identity.find(UUID(raw_card_id), Card)
    except ValueError:
        card = None
    if card is None or card.account_id != account.id or card.removed:
        raise CardNotFound()
    return card


def _today(identity: Identity) -> date:
    return identity.clock().date()
