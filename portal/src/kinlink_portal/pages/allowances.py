"""Commissary allowances through the commissary service: a hold on one of the family's cards for
a resident's commissary purchases (the resident is not told: the page says it is the family's
job), the family's allowances with what each paid for, and ending one early (what the resident
used is charged, the rest released)."""

from __future__ import annotations

import uuid

from kinlink.commissary.v1 import commissary_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import FORM_WIDE
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.money import cents_of
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.pages.cards import card_name
from kinlink_portal.pages.cards import own_cards
from kinlink_portal.pages.commissary_parts import named_one
from kinlink_portal.pages.commissary_parts import named_rows
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

# Named as CreateAllowance names them in refusals; the card is chosen by its id in identity.
FIELDS = ("facility_id", "resident_id", "amount_cents", "payment_method")
REQUIRED = {
    "facility_id": "facility_id_missing",
    "resident_id": "resident_id_missing",
    "amount_cents": "amount_invalid",
    "payment_method": "payment_method_not_found",
}
STATUS = {
    pb.ALLOWANCE_STATUS_ACTIVE: N_("Active: held on your card"),
    pb.ALLOWANCE_STATUS_DECLINED: N_("Declined: nothing is held"),
    pb.ALLOWANCE_STATUS_ENDING: N_("Ended: being settled with your card"),
    pb.ALLOWANCE_STATUS_ENDED: N_("Ended: what was used is charged, the rest released"),
}
PAGE_SIZE = 20


def status_words(allowance: pb.Allowance) -> str:
    return STATUS.get(allowance.status, N_("Active: held on your card"))


async def allowance_list(request: Request) -> Response:
    token = page_token(request)
    asked = pb.ListAllowancesRequest(page_size=PAGE_SIZE, page_token=token)
    page = await call_signed_in(request, services(request).commissary.ListAllowances, asked)
    return render(
        request,
        "allowances.html",
        allowances=page.allowances,
        next_page_token=page.next_page_token,
        first_page=bool(token),
        **await named_rows(request, page.allowances),
        status_words=status_words,
        dollars=dollars,
    )


async def new_allowance(request: Request) -> Response:
    known = await facilities(request)
    cards = {card.card_id: card for card in await own_cards(request)}
    # One id per form shown: the same form sent twice holds the card once. A resident found
    # by a search comes chosen already.
    chosen = {name: request.query_params.get(name, "") for name in ("facility_id", "resident_id")}
    form = Form(FIELDS, {"allowance_id": str(uuid.uuid4()), **chosen})
    if request.method == "POST":
        form = await submitted(request, FIELDS, hidden=("allowance_id",))
        try:
            if not form.missing(REQUIRED):
                card = cards.get(form.values["payment_method"])
                if card is None:
                    raise Refusal("payment_method_not_found", "payment_method")
                asked = pb.CreateAllowanceRequest(
                    allowance_id=form.values["allowance_id"],
                    facility_id=form.values["facility_id"],
                    resident_id=form.values["resident_id"],
                    amount_cents=cents_of(form.values["amount_cents"], "amount_cents"),
                    payment_method=card.payment_method,
                )
                commissary = services(request).commissary
                held = await call_signed_in(request, commissary.CreateAllowance, asked)
                return see_other(f"/allowances/{held.allowance_id}")
        except Refusal as refusal:
            form.refused(refusal)
    return render(
        request,
        "allowance_new.html",
        400 if form.errors else 200,
        form=form,
        facilities=known.options(),
        cards=[(card_id, card_name(card)) for card_id, card in cards.items()],
    )


async def allowance(request: Request, problem: str = "", status: int = 200) -> Response:
    asked = pb.GetAllowanceRequest(allowance_id=request.path_params["allowance_id"])
    found = await call_signed_in(request, services(request).commissary.GetAllowance, asked)
    return render(
        request,
        "allowance.html",
        status,
        allowance=found,
        **await named_one(request, found),
        status_words=status_words(found),
        why=sentence(found.decline_reason) if found.decline_reason else "",
        dollars=dollars,
        problem=Form((), errors={FORM_WIDE: problem} if problem else {}),
        may_end=found.status == pb.ALLOWANCE_STATUS_ACTIVE,
        settled=found.status == pb.ALLOWANCE_STATUS_ENDED,
    )


async def end_allowance(request: Request) -> Response:
    allowance_id = request.path_params["allowance_id"]
    ending = pb.EndAllowanceRequest(allowance_id=allowance_id)
    try:
        await call_signed_in(request, services(request).commissary.EndAllowance, ending)
    except Refusal as refusal:
        return await allowance(request, sentence(refusal.code), 400)
    return see_other(f"/allowances/{allowance_id}")


routes = [
    Route("/allowances", allowance_list),
    Route("/allowances/new", new_allowance, methods=["GET", "POST"]),
    Route("/allowances/{allowance_id}", allowance),
    Route("/allowances/{allowance_id}/end", end_allowance, methods=["POST"]),
]
