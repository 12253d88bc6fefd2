"""Sending money to a resident: an amount, the ledger's quote (fee, total, what the resident can
still receive this week), an explicit confirmation with one of the family member's cards, then
the outcome: the receipt, or why the deposit was declined (and that the card was not charged).

The quote and its idempotency key are kept in the session: a double click, a reload or a second
tab confirms the same quote with the same key, which the ledger charges at most once."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import quote as quoted
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.logging import get_logger
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import current_language
from kinlink_portal.i18n import gettext as _
from kinlink_portal.money import cents_of
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.pages import residents
from kinlink_portal.pages.cards import card_name
from kinlink_portal.pages.cards import own_cards
from kinlink_portal.rendering import render
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.time_zones import time_zone_name

log = get_logger(__name__)

AMOUNT = ("amount_cents",)
RESIDENT = ("facility_id", "resident_id")
RESIDENT_REQUIRED = {"facility_id": "facility_id_missing", "resident_id": "resident_id_missing"}
CHOICE = ("payment_method",)
# Where a family member learns how to verify their identity.
ID_VERIFICATION_HELP = "/help/id-verification"
CAPTURED = frozenset({pb.DEPOSIT_STATUS_CAPTURED, pb.DEPOSIT_STATUS_POSTED})


def send_path(facility_id: str, resident_id: str) -> str:
    return f"/send/{quoted(facility_id, safe='')}/{quoted(resident_id, safe='')}"


async def held_resident(request: Request, facility_id: str, resident_id: str) -> dict[str, str]:
    """The resident's name and facility as identity shows them; a resident released or moved
    is not found (identity never returns them)."""
    search = identity_pb.SearchResidentsRequest(facility_id=facility_id, resident_id=resident_id)
    identity = services(request).identity
    for found in (await call_signed_in(request, identity.SearchResidents, search)).residents:
        if (found.facility_id, found.resident_id) == (facility_id, resident_id):
            return {
                "facility_id": facility_id,
                "resident_id": resident_id,
                "name": f"{found.first_name} {found.last_name}",
                "facility_name": found.facility_name,
            }
    raise Refusal("resident_not_found", "resident_id")


async def choose_resident(
    request: Request, template: str, onward: Callable[[str, str], str], **context: Any
) -> Response:
    """The resident a page is for, by facility and resident ID (a GET form: a search changes
    nothing); found, on to `onward(facility_id, resident_id)`."""
    values = {name: request.query_params.get(name, "").strip() for name in RESIDENT}
    form = Form(RESIDENT, values)
    if any(values.values()):
        try:
            if not form.missing(RESIDENT_REQUIRED):
                await held_resident(request, values["facility_id"], values["resident_id"])
                return see_other(onward(values["facility_id"], values["resident_id"]))
        except Refusal as refusal:
            form.refused(refusal)
    options = await residents.facility_options(request)
    status = 400 if form.errors else 200
    return render(request, template, status, form=form, facilities=options, **context)


async def facility_time_zone(request: Request, facility_id: str) -> str:
    facility = await call(
        request,
        services(request).identity.GetFacility,
        identity_pb.GetFacilityRequest(facility_id=facility_id),
    )
    return facility.settings.time_zone or "UTC"


def local_time(seconds: int, time_zone: str) -> str:
    """A moment as the facility's clock shows it, with the zone named."""
    moment = datetime.fromtimestamp(seconds, UTC)
    shown = format_datetime(moment, "medium", tzinfo=ZoneInfo(time_zone), locale=current_language())
    return f"{shown} ({time_zone_name(time_zone)})"


def limit_said(remaining_cents: int, name: str) -> str:
    return _("%(name)s can still receive %(amount)s this week.") % {
        "name": name,
        "amount": dollars(remaining_cents),
    }


async def send_money(request: Request) -> Response:
    """The amount; once quoted, on to the confirmation (or, past the weekly limit, back here
    with what the resident can still receive)."""
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    form = Form(AMOUNT)
    if request.method == "POST":
        form = await submitted(request, AMOUNT)
        try:
            if not form.missing({"amount_cents": "amount_invalid"}):
                quote = await call_signed_in(
                    request,
                    services(request).ledger.QuoteDeposit,
                    pb.QuoteDepositRequest(
                        facility_id=resident["facility_id"],
                        resident_id=resident["resident_id"],
                        amount_cents=cents_of(form.values["amount_cents"], "amount_cents"),
                    ),
                )
                if quote.amount_cents <= quote.weekly_remaining_cents:
                    keep_quote(request, quote, resident)
                    return see_other(f"/deposits/quotes/{quote.quote_id}")
                form.errors["amount_cents"] = " ".join(
                    (
                        sentence("limit_exceeded"),
                        limit_said(quote.weekly_remaining_cents, resident["name"]),
                    )
                )
        except Refusal as refusal:
            form.refused(refusal)
    return render(
        request,
        "deposit_amount.html",
        400 if form.errors else 200,
        form=form,
        resident=resident,
        action=send_path(resident["facility_id"], resident["resident_id"]),
        verification_help=verification_help(form),
    )


def verification_help(form: Form) -> str | None:
    said = sentence("id_verification_required")
    return ID_VERIFICATION_HELP if said in form.errors.values() else None


def keep_quote(request: Request, quote: pb.DepositQuote, resident: dict[str, str]) -> None:
    """The latest quote, with the key that makes confirming it idempotent."""
    request.session["quote"] = {
        "quote_id": quote.quote_id,
        "amount": quote.amount_cents,
        "fee": quote.fee_cents,
        "total": quote.total_cents,
        "remaining_after": quote.weekly_remaining_cents - quote.amount_cents,
        "expires_at": quote.expires_at.seconds,
        "idempotency_key": secrets.token_urlsafe(16),
        **resident,
    }


def kept_quote(request: Request) -> dict[str, Any]:
    kept = request.session.get("quote")
    if not kept or kept["quote_id"] != request.path_params["quote_id"]:
        # Another tab quoted since, or the session is new: start from the amount again.
        raise Refusal("quote_not_found")
    found: dict[str, Any] = kept
    return found


async def confirm_deposit(request: Request) -> Response:
    kept = kept_quote(request)
    form = Form(CHOICE)
    not_charged = False
    if request.method == "POST":
        form = await submitted(request, CHOICE)
        confirming = pb.ConfirmDepositRequest(
            quote_id=kept["quote_id"],
            payment_method=form.values["payment_method"],
            idempotency_key=kept["idempotency_key"],
        )
        try:
            if not form.missing({"payment_method": "card_choice_missing"}):
                ledger = services(request).ledger
                deposit = await call_signed_in(request, ledger.ConfirmDeposit, confirming)
                log.info(
                    "deposit confirmed",
                    deposit_id=deposit.deposit_id,
                    status=pb.DepositStatus.Name(deposit.status),
                    decline_reason=deposit.decline_reason,
                )
                return see_other(f"/deposits/{deposit.deposit_id}")
        except Refusal as refusal:
            form.refused(refusal)
            # Refused before any charge, except when the processor's answer was lost.
            not_charged = refusal.code != "charge_outcome_unknown"
    cards = [(card.payment_method, card_name(card)) for card in await own_cards(request)]
    time_zone = await facility_time_zone(request, kept["facility_id"])
    add_card = "/cards/add?" + urlencode(
        {"facility_id": kept["facility_id"], "next": request.url.path}
    )
    return render(
        request,
        "deposit_confirm.html",
        400 if form.errors else 200,
        form=form,
        quote=kept,
        amounts={name: dollars(kept[name]) for name in ("amount", "fee", "total")},
        remaining=limit_said(max(kept["remaining_after"], 0), kept["name"]),
        expires=local_time(kept["expires_at"], time_zone),
        cards=cards,
        add_card=add_card,
        verification_help=verification_help(form),
        not_charged=not_charged,
    )


async def deposit_outcome(request: Request) -> Response:
    """Where a confirmed deposit is: its receipt, why it was declined, or still under way."""
    ledger = services(request).ledger
    deposit = await call_signed_in(
        request,
        ledger.GetDeposit,
        pb.GetDepositRequest(deposit_id=request.path_params["deposit_id"]),
    )
    resident = await resident_named(request, deposit)
    if deposit.status in CAPTURED:
        return await receipt(request, deposit, resident)
    if deposit.status == pb.DEPOSIT_STATUS_DECLINED:
        return render(
            request,
            "deposit_declined.html",
            reason=sentence(deposit.decline_reason),
            remaining=await remaining_now(request, deposit, resident),
            again=send_path(deposit.facility_id, deposit.resident_id),
        )
    return render(request, "deposit_pending.html", deposit=deposit)


async def resident_named(request: Request, deposit: pb.Deposit) -> dict[str, str]:
    """The resident as found now; one released or moved since keeps their id alone."""
    try:
        return await held_resident(request, deposit.facility_id, deposit.resident_id)
    except Refusal:
        return {"name": deposit.resident_id, "facility_name": deposit.facility_id}


async def remaining_now(
    request: Request, deposit: pb.Deposit, resident: dict[str, str]
) -> str | None:
    """After a weekly-limit decline: what the resident can still receive, from a fresh quote."""
    if deposit.decline_reason != "limit_exceeded":
        return None
    quote = await call_signed_in(
        request,
        services(request).ledger.QuoteDeposit,
        pb.QuoteDepositRequest(
            facility_id=deposit.facility_id,
            resident_id=deposit.resident_id,
            amount_cents=deposit.amount_cents,
        ),
    )
    return limit_said(quote.weekly_remaining_cents, resident["name"])


async def receipt(request: Request, deposit: pb.Deposit, resident: dict[str, str]) -> Response:
    time_zone = await facility_time_zone(request, deposit.facility_id)
    return render(
        request,
        "deposit_receipt.html",
        deposit=deposit,
        resident=resident,
        amounts={
            "amount": dollars(deposit.amount_cents),
            "fee": dollars(deposit.fee_cents),
            "total": dollars(deposit.total_cents),
        },
        captured=local_time(deposit.receipt.captured_at.seconds, time_zone),
    )


routes = [
    Route("/send/{facility_id}/{resident_id}", send_money, methods=["GET", "POST"]),
    Route("/deposits/quotes/{quote_id}", confirm_deposit, methods=["GET", "POST"]),
    Route("/deposits/{deposit_id}", deposit_outcome),
]
