"""A family member's cards: adding one (a processor token, never a number: decision 0025),
changing its expiry or billing address, removing it, choosing the one that funds the messaging
subscription. Identity applies the rules (the facility's brands, no prepaid cards, the
subscription's card kept until the subscription moves or is cancelled)."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal import card_entry
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.navigation import local_path
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.my_account import ADDRESS
from kinlink_portal.pages.my_account import ADDRESS_FIELDS
from kinlink_portal.pages.my_account import DETAILS_REQUIRED
from kinlink_portal.pages.residents import facility_options
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

ADDING = ("payment_method", *ADDRESS, "facility_id", "fund_messaging_subscription")
EDITING = ("exp_month", "exp_year", *ADDRESS)
ADDRESS_REQUIRED = {name: code for name, code in DETAILS_REQUIRED.items() if name in ADDRESS}
CARD_NOTICES = {
    "added": lambda: _("Your card is added."),
    "saved": lambda: _("Your card is saved."),
    "removed": lambda: _("Your card is removed."),
    "subscription": lambda: _("This card now funds your messaging subscription."),
}


def card_name(card: pb.Card) -> str:
    return _("%(brand)s ending %(last4)s") % {
        "brand": card_entry.brand_name(card.brand),
        "last4": card.last4,
    }


def billing_address(form: Form) -> pb.PostalAddress:
    return pb.PostalAddress(**{name: form.values[f"address.{name}"] for name in ADDRESS_FIELDS})


def address_values(address: pb.PostalAddress) -> dict[str, str]:
    return {f"address.{name}": getattr(address, name) for name in ADDRESS_FIELDS}


def on_page(refusal: Refusal, form: Form) -> Refusal:
    """Identity names the card's address `billing_address`; the page's inputs are `address.*`.
    A new card's expiry, which the processor gave, is said beside the card chosen."""
    head, _dot, rest = refusal.field.partition(".")
    if head == "billing_address":
        return Refusal(refusal.code, ".".join(("address", rest)) if rest else "address")
    if head in ("exp_month", "exp_year") and head not in form.fields:
        return Refusal(refusal.code, "payment_method")
    return refusal


async def own_cards(request: Request) -> list[pb.Card]:
    listed = await call_signed_in(
        request, services(request).identity.ListCards, pb.ListCardsRequest()
    )
    return list(listed.cards)


async def own_card(request: Request) -> pb.Card:
    """The card the address names, if it is one of the visitor's (else: not found)."""
    wanted = request.path_params["card_id"]
    for card in await own_cards(request):
        if card.card_id == wanted:
            return card
    raise HTTPException(404)


async def list_cards(request: Request) -> Response:
    notice = CARD_NOTICES.get(request.query_params.get("notice", ""), lambda: "")()
    cards = [(card, card_name(card)) for card in await own_cards(request)]
    return render(request, "cards.html", cards=cards, notice=notice)


async def add_card(request: Request) -> Response:
    """`facility_id` (the facility the card will pay at, whose brands apply) and `next` (where
    to go back to, e.g. a deposit's confirmation) may come in the address."""
    identity = services(request).identity
    after = local_path(request.query_params.get("next", ""), otherwise="")
    if request.method == "GET":
        account = await call_signed_in(request, identity.GetAccount, pb.GetAccountRequest())
        values = address_values(account.address)
        values["facility_id"] = request.query_params.get("facility_id", "")
        form = Form(ADDING, values)
    else:
        form = await submitted(request, ADDING)
        adding = pb.AddCardRequest(
            payment_method=form.values["payment_method"],
            billing_address=billing_address(form),
            fund_messaging_subscription=form.values["fund_messaging_subscription"] == "true",
            facility_id=form.values["facility_id"],
        )
        required = {"payment_method": "card_choice_missing", **ADDRESS_REQUIRED}
        try:
            if not form.missing(required):
                await call_signed_in(request, identity.AddCard, adding)
                return see_other(after) if after else with_notice("/cards", "added")
        except Refusal as refusal:
            form.refused(on_page(refusal, form))
    facilities = await facility_options(request)
    return render(
        request,
        "card_add.html",
        400 if form.errors else 200,
        form=form,
        facilities=facilities,
        test_cards=[(card.payment_method, card.label()) for card in card_entry.TEST_CARDS],
        stripe=request.app.state.card_entry == card_entry.STRIPE_ELEMENTS_ENTRY,
        stripe_js=card_entry.STRIPE_JS,
        stripe_key=request.app.state.stripe_publishable_key,
        after=after,
    )


async def edit_card(request: Request) -> Response:
    card = await own_card(request)
    if request.method == "GET":
        values = {"exp_month": str(card.exp_month), "exp_year": str(card.exp_year)}
        form = Form(EDITING, values | address_values(card.billing_address))
    else:
        form = await submitted(request, EDITING)
        try:
            if not form.missing(ADDRESS_REQUIRED):
                editing = pb.EditCardRequest(
                    card_id=card.card_id,
                    fields=["exp_month", "exp_year", "billing_address"],
                    exp_month=whole_number(form, "exp_month"),
                    exp_year=whole_number(form, "exp_year"),
                    billing_address=billing_address(form),
                )
                await call_signed_in(request, services(request).identity.EditCard, editing)
                return with_notice("/cards", "saved")
        except Refusal as refusal:
            form.refused(on_page(refusal, form))
    status = 400 if form.errors else 200
    return render(request, "card_edit.html", status, form=form, card=card, name=card_name(card))


def whole_number(form: Form, name: str) -> int:
    typed = form.values[name]
    if not typed.isdigit():
        raise Refusal(f"{name}_invalid", name)
    return int(typed)


async def remove_card(request: Request) -> Response:
    card = await own_card(request)
    form = Form(())
    if request.method == "POST":
        removing = pb.RemoveCardRequest(card_id=card.card_id)
        try:
            await call_signed_in(request, services(request).identity.RemoveCard, removing)
            return with_notice("/cards", "removed")
        except Refusal as refusal:
            form.refused(refusal)
    status = 400 if form.errors else 200
    return render(request, "card_remove.html", status, form=form, card=card, name=card_name(card))


async def fund_subscription(request: Request) -> Response:
    choosing = pb.EditCardRequest(
        card_id=request.path_params["card_id"],
        fields=["fund_messaging_subscription"],
        fund_messaging_subscription=True,
    )
    await call_signed_in(request, services(request).identity.EditCard, choosing)
    return with_notice("/cards", "subscription")


routes = [
    Route("/cards", list_cards),
    Route("/cards/add", add_card, methods=["GET", "POST"]),
    Route("/cards/{card_id}/edit", edit_card, methods=["GET", "POST"]),
    Route("/cards/{card_id}/remove", remove_card, methods=["GET", "POST"]),
    Route("/cards/{card_id}/subscription", fund_subscription, methods=["POST"]),
]
