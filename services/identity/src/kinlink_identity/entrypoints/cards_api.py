"""AddCard, EditCard, RemoveCard and ListCards: the signed-in family member's own cards."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import request_fields

from kinlink_identity.entrypoints.messages import REQUEST_FIELDS
from kinlink_identity.entrypoints.messages import address_message
from kinlink_identity.entrypoints.messages import address_of
from kinlink_identity.entrypoints.messages import method
from kinlink_identity.service_layer.cards import AccountCard
from kinlink_identity.service_layer.cards import AddCard
from kinlink_identity.service_layer.cards import EditCard
from kinlink_identity.service_layer.cards import add_card
from kinlink_identity.service_layer.cards import edit_card
from kinlink_identity.service_layer.cards import list_cards
from kinlink_identity.service_layer.cards import remove_card
from kinlink_identity.service_layer.identity import Identity

CARDS_POLICY = {
    method(name): frozenset({Role.FAMILY_MEMBER})
    for name in ("AddCard", "EditCard", "RemoveCard", "ListCards")
}
EDITABLE_FIELDS = frozenset(
    {"exp_month", "exp_year", "billing_address", "fund_messaging_subscription"}
)
_CARD_FIELDS = {
    **REQUEST_FIELDS,
    **dict.fromkeys(
        (
            "payment_method_missing",
            "payment_method_not_a_token",
            "payment_method_unknown",
            "prepaid_not_supported",
            "card_brand_not_accepted",
        ),
        "payment_method",
    ),
    "exp_month_invalid": "exp_month",
    "exp_year_invalid": "exp_year",
    "card_expired": "exp_year",
    "address_incomplete": "billing_address",
    "address_country_invalid": "billing_address",
    "card_not_found": "card_id",
    "card_funds_messaging_subscription": "card_id",
    "fields_missing": "fields",
}


def card_message(owned: AccountCard) -> pb.Card:
    card = owned.card
    return pb.Card(
        card_id=str(card.id),
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        billing_address=address_message(card.billing_address),
        funds_messaging_subscription=owned.funds_messaging_subscription,
        payment_method=card.payment_method,
    )


def edit_command(account_id: str, request: pb.EditCardRequest) -> EditCard:
    named = set(request.fields)
    unknown = named - EDITABLE_FIELDS
    if unknown:
        raise InvalidArgument(
            "fields_unknown",
            f"These cannot be edited: {', '.join(sorted(unknown))}.",
            field="fields",
        )
    return EditCard(
        account_id,
        request.card_id,
        exp_month=request.exp_month if "exp_month" in named else None,
        exp_year=request.exp_year if "exp_year" in named else None,
        billing_address=(
            address_of(request.billing_address) if "billing_address" in named else None
        ),
        fund_messaging_subscription=(
            request.fund_messaging_subscription if "fund_messaging_subscription" in named else None
        ),
    )


class CardsApi:
    identity: Identity

    async def AddCard(
        self, request: pb.AddCardRequest, context: grpc.aio.ServicerContext
    ) -> pb.Card:
        command = AddCard(
            current_principal().account_id,
            request.payment_method,
            address_of(request.billing_address),
            fund_messaging_subscription=request.fund_messaging_subscription,
            facility_id=request.facility_id.strip(),
        )
        with request_fields(_CARD_FIELDS):
            card = await asyncio.to_thread(add_card, self.identity, command)
        return card_message(card)

    async def EditCard(
        self, request: pb.EditCardRequest, context: grpc.aio.ServicerContext
    ) -> pb.Card:
        command = edit_command(current_principal().account_id, request)
        with request_fields(_CARD_FIELDS):
            card = await asyncio.to_thread(edit_card, self.identity, command)
        return card_message(card)

    async def RemoveCard(
        self, request: pb.RemoveCardRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        account_id = current_principal().account_id
        with request_fields(_CARD_FIELDS):
            await asyncio.to_thread(remove_card, self.identity, account_id, request.card_id)
        return pb.Accepted()

    async def ListCards(
        self, request: pb.ListCardsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListCardsResponse:
        account_id = current_principal().account_id
        cards = await asyncio.to_thread(list_cards, self.identity, account_id)
        return pb.ListCardsResponse(cards=[card_message(card) for card in cards])
