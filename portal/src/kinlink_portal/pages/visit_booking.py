"""Booking a video visit: the resident, then remote (the price per minute) or In Facility (free),
a date within the facility's horizon and a slot length, the free slots of that day on the
visitor's clock and the facility's, and a confirmation that books it (one visit per page shown,
however often it is sent). Direct Dial asks for a visit now, the shortest slot."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from urllib.parse import quote as quoted
from urllib.parse import urlencode

from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.visitation.v1 import visitation_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.pages import deposits
from kinlink_portal.pages.deposits import held_resident
from kinlink_portal.pages.messaging import wallet_of
from kinlink_portal.pages.visit_parts import clock_for
from kinlink_portal.pages.visit_parts import minutes_covered
from kinlink_portal.pages.visit_parts import now_of
from kinlink_portal.pages.visits import visit_path
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

RESIDENT = ("facility_id", "resident_id")
KIND, SLOT, DATE, STARTS_AT = "kind", "slot_minutes", "date", "starts_at"
KINDS = {"remote": pb.VISIT_KIND_REMOTE, "in_facility": pb.VISIT_KIND_IN_FACILITY}
# The facility's settings when it left them out (as identity's FacilitySettings says).
DEFAULT_SLOT_MINUTES = (15, 30)
DEFAULT_HORIZON_DAYS = 14
# Why a day has no slot at all (Availability.closed_reason), in the visitor's words.
CLOSED = {
    "blackout": N_("The facility has no visits on this day."),
    "no_hours": N_("The facility has no visiting hours on this day of the week."),
    "beyond_horizon": N_("This day is too far ahead: choose an earlier one."),
    "before_lead_time": N_(
        "Visits must be booked ahead of time: choose a later day, or use Direct Dial."
    ),
    "no_video": N_("This facility does not offer video visits through Kinlink."),
    "past": N_("This day has passed: choose another."),
}
PURPOSES = {"schedule": N_("Schedule a Video Call"), "dial": N_("Direct Dial")}


def day_path(facility_id: str, resident_id: str) -> str:
    return f"/visits/schedule/{quoted(facility_id, safe='')}/{quoted(resident_id, safe='')}"


def dial_path(facility_id: str, resident_id: str) -> str:
    return f"/visits/dial/{quoted(facility_id, safe='')}/{quoted(resident_id, safe='')}"


async def choose_for_schedule(request: Request) -> Response:
    return await choose_resident(request, "schedule", day_path)


async def choose_for_dial(request: Request) -> Response:
    return await choose_resident(request, "dial", dial_path)


async def choose_resident(
    request: Request, purpose: str, onward: Callable[[str, str], str]
) -> Response:
    return await deposits.choose_resident(
        request, "visit_choose.html", onward, heading=PURPOSES[purpose], action=request.url.path
    )


async def facility_settings(request: Request, facility_id: str) -> identity_pb.FacilitySettings:
    asked = identity_pb.GetFacilityRequest(facility_id=facility_id)
    return (await call(request, services(request).identity.GetFacility, asked)).settings


def slot_lengths(settings: identity_pb.FacilitySettings) -> list[int]:
    return sorted(settings.video_slot_minutes) or list(DEFAULT_SLOT_MINUTES)


def kind_of(typed: str) -> pb.VisitKind:
    return KINDS.get(typed, pb.VISIT_KIND_UNSPECIFIED)


async def pick_slot(request: Request) -> Response:
    """The kind, the slot length and the day (a GET form), then that day's free slots."""
    facility_id, resident_id = (request.path_params[name] for name in RESIDENT)
    resident = await held_resident(request, facility_id, resident_id)
    settings = await facility_settings(request, facility_id)
    clock = await clock_for(request, settings.time_zone)
    lengths = slot_lengths(settings)
    today = clock.facility_today(now_of(request))
    horizon = settings.video_booking_horizon_days or DEFAULT_HORIZON_DAYS
    values = {
        KIND: request.query_params.get(KIND, "remote"),
        SLOT: request.query_params.get(SLOT, str(lengths[0])),
        DATE: request.query_params.get(DATE, ""),
    }
    form = Form((KIND, SLOT, DATE), values)
    availability: pb.Availability | None = None
    if values[DATE]:
        asked = pb.ListAvailabilityRequest(
            facility_id=facility_id,
            resident_id=resident_id,
            date=values[DATE],
            slot_minutes=int(values[SLOT]) if values[SLOT].isdigit() else 0,
            kind=kind_of(values[KIND]),
        )
        try:
            availability = await call_signed_in(
                request, services(request).visitation.ListAvailability, asked
            )
        except Refusal as refusal:
            form.refused(refusal)
    chosen = {KIND: values[KIND], SLOT: values[SLOT]}
    return render(
        request,
        "visit_schedule.html",
        400 if form.errors else 200,
        resident=resident,
        form=form,
        clock=clock,
        lengths=lengths,
        first_day=today.isoformat(),
        last_day=(today + timedelta(days=horizon)).isoformat(),
        price_per_minute_cents=settings.video_price_per_minute_cents,
        availability=availability,
        closed=CLOSED.get(availability.closed_reason, "") if availability else "",
        dollars=dollars,
        confirm=lambda slot: (
            f"{day_path(facility_id, resident_id)}/confirm?"
            + urlencode({**chosen, STARTS_AT: slot.starts_at.seconds})
        ),
    )


async def confirm(request: Request) -> Response:
    """What is booked, on both clocks, its price and what the wallet covers; sent, booked."""
    facility_id, resident_id = (request.path_params[name] for name in RESIDENT)
    resident = await held_resident(request, facility_id, resident_id)
    settings = await facility_settings(request, facility_id)
    if request.method == "POST":
        form = await submitted(request, (), hidden=("visit_id", KIND, SLOT, STARTS_AT))
    else:  # one visit id per confirmation shown: the same form sent twice books once
        typed = {name: request.query_params.get(name, "") for name in (KIND, SLOT, STARTS_AT)}
        form = Form((), {**typed, "visit_id": str(uuid.uuid4())})
    starts_seconds = int(form.values[STARTS_AT]) if form.values[STARTS_AT].isdigit() else 0
    minutes = int(form.values[SLOT]) if form.values[SLOT].isdigit() else 0
    starts_at = Timestamp(seconds=starts_seconds)
    ends_at = Timestamp(seconds=starts_seconds + minutes * 60)
    remote = kind_of(form.values[KIND]) == pb.VISIT_KIND_REMOTE
    if request.method == "POST":
        booking = pb.ScheduleVisitRequest(
            visit_id=form.values["visit_id"],
            facility_id=facility_id,
            resident_id=resident_id,
            kind=kind_of(form.values[KIND]),
            starts_at=starts_at,
            slot_minutes=minutes,
        )
        try:
            visitation = services(request).visitation
            booked = await call_signed_in(request, visitation.ScheduleVisit, booking)
            return see_other(visit_path(booked.visit_id) + "?notice=scheduled")
        except Refusal as refusal:
            form.refused(refusal)
    wallet = await wallet_of(request)
    balance = wallet.balance_cents if wallet is not None else 0
    price = settings.video_price_per_minute_cents if remote else 0
    clock = await clock_for(request, settings.time_zone)
    starts = datetime.fromtimestamp(starts_seconds, UTC)
    back = {KIND: form.values[KIND], SLOT: form.values[SLOT]}
    back[DATE] = clock.facility_today(starts).isoformat()
    return render(
        request,
        "visit_confirm.html",
        400 if form.errors else 200,
        resident=resident,
        form=form,
        clock=clock,
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=minutes,
        remote=remote,
        price_per_minute_cents=price,
        balance=balance,
        covers=minutes_covered(balance, price),
        back=day_path(facility_id, resident_id) + "?" + urlencode(back),
        dollars=dollars,
    )


async def direct_dial(request: Request) -> Response:
    """A visit now, if the facility is open and the resident and a station are free: on to
    its connect page; otherwise the service's reason."""
    facility_id, resident_id = (request.path_params[name] for name in RESIDENT)
    resident = await held_resident(request, facility_id, resident_id)
    settings = await facility_settings(request, facility_id)
    if request.method == "POST":
        form = await submitted(request, (KIND,), hidden=("visit_id",))
        dialling = pb.DirectDialRequest(
            visit_id=form.values["visit_id"],
            facility_id=facility_id,
            resident_id=resident_id,
            kind=kind_of(form.values[KIND]),
        )
        try:
            visitation = services(request).visitation
            dialled = await call_signed_in(request, visitation.DirectDial, dialling)
            return see_other(visit_path(dialled.visit_id) + "/connect")
        except Refusal as refusal:
            form.refused(refusal)
    else:
        form = Form((KIND,), {KIND: "remote", "visit_id": str(uuid.uuid4())})
    wallet = await wallet_of(request)
    balance = wallet.balance_cents if wallet is not None else 0
    price = settings.video_price_per_minute_cents
    return render(
        request,
        "visit_dial.html",
        400 if form.errors else 200,
        resident=resident,
        form=form,
        price_per_minute_cents=price,
        shortest=slot_lengths(settings)[0],
        balance=balance,
        covers=minutes_covered(balance, price),
        dollars=dollars,
    )


routes = [
    Route("/visits/schedule", choose_for_schedule),
    Route("/visits/schedule/{facility_id}/{resident_id}", pick_slot),
    Route("/visits/schedule/{facility_id}/{resident_id}/confirm", confirm, methods=["GET", "POST"]),
    Route("/visits/dial", choose_for_dial),
    Route("/visits/dial/{facility_id}/{resident_id}", direct_dial, methods=["GET", "POST"]),
]
