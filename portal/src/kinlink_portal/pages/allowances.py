"""Commissary allowances, through the ledger until the commissary service exists: a hold on one
of the family's cards for a resident, its status, and ending it (what the resident used is
charged, the rest given back). The ledger lists no family's allowances: each is reached by its
own address, given when it is created."""

from __future__ import annotations

import uuid

from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.ledger.v1 import ledger_pb2 as pb
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
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

# Named as AuthorizeAllowance names them in refusals; the card is chosen by its id in identity.
FIELDS = ("facility_id", "resident_id", "amount_cents", "payment_method")
REQUIRED = {
    "facility_id": "facility_id_missing",
    "resident_id": "resident_id_missing",
    "amount_cents": "amount_invalid",
    "payment_method": "payment_method_not_found",
}
STATUS = {
    pb.ALLOWANCE_STATUS_AUTHORIZED: N_("Held on your card"),
    pb.ALLOWANCE_STATUS_DECLINED: N_("Declined: nothing is held"),
    pb.ALLOWANCE_STATUS_ENDED: N_("Ended: what was used is charged, the rest given back"),
}


async def new_allowance(request: Request) -> Response:
    known = await facilities(request)
    listed = await call_signed_in(
        request, services(request).identity.ListCards, identity_pb.ListCardsRequest()
    )
    cards = {card.card_id: card for card in listed.cards}
    # One id per form shown: the same form sent twice holds the card once.
    form = Form(FIELDS, {"allowance_id": str(uuid.uuid4())})
    if request.method == "POST":
        form = await submitted(request, FIELDS, hidden=("allowance_id",))
        try:
            if not form.missing(REQUIRED):
                card = cards.get(form.values["payment_method"])
                if card is None:
                    raise Refusal("payment_method_not_found", "payment_method")
                asked = pb.AuthorizeAllowanceRequest(
                    allowance_id=form.values["allowance_id"],
                    facility_id=form.values["facility_id"],
                    resident_id=form.values["resident_id"],
                    amount_cents=cents_of(form.values["amount_cents"], "amount_cents"),
                    payment_method=card.payment_method,
                )
                ledger = services(request).ledger
                held = await call_signed_in(request, ledger.AuthorizeAllowance, asked)
                return see_other(f"/allowances/{held.allowance_id}")
        except Refusal as refusal:
            form.refused(refusal)
    return render(
        request,
        "allowance_new.html",
        400 if form.errors else 200,
        form=form,
        facilities=known.options(),
        cards=[(card_id, f"{c.brand.capitalize()} •••• {c.last4}") for card_id, c in cards.items()],
    )


async def allowance(request: Request, problem: str = "", status: int = 200) -> Response:
    asked = pb.GetAllowanceRequest(allowance_id=request.path_params["allowance_id"])
    found = await call_signed_in(request, services(request).ledger.GetAllowance, asked)
    known = await facilities(request)
    return render(
        request,
        "allowance.html",
        status,
        allowance=found,
        facility=known.name(found.facility_id),
        status_words=STATUS.get(found.status, N_("Held on your card")),
        why=sentence(found.decline_reason) if found.decline_reason else "",
        held=dollars(found.authorized_cents),
        captured=dollars(found.captured_cents),
        released=dollars(found.released_cents),
        problem=Form((), errors={FORM_WIDE: problem} if problem else {}),
        may_end=found.status == pb.ALLOWANCE_STATUS_AUTHORIZED,
    )


async def end_allowance(request: Request) -> Response:
    allowance_id = request.path_params["allowance_id"]
    ending = pb.EndAllowanceRequest(allowance_id=allowance_id)
    try:
        await call_signed_in(request, services(request).ledger.EndAllowance, ending)
    except Refusal as refusal:
        return await allowance(request, sentence(refusal.code), 400)
    return see_other(f"/allowances/{allowance_id}")


routes = [
    Route("/allowances/new", new_allowance, methods=["GET", "POST"]),
    Route("/allowances/{allowance_id}", allowance),
    Route("/allowances/{allowance_id}/end", end_allowance, methods=["POST"]),
]
