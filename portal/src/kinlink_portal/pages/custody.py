"""The residents of a facility, in the console: officers and operators find, book, transfer
and release them. Identity decides who may: an officer only for the facilities in their care,
and for a transfer, for the destination too (refused beside it)."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.console import facility_of
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

SEARCH = ("last_name", "resident_id")
BOOK = ("resident_id", "first_name", "last_name")
BOOK_REQUIRED = {
    "resident_id": "resident_id_missing",
    "first_name": "resident_first_name_missing",
    "last_name": "resident_last_name_missing",
}
TRANSFER = ("to_facility_id", "to_resident_id")
NOTICES = {
    "booked": N_("The resident is booked. Families can find them now."),
    "transferred": N_("The resident is transferred."),
    "released": N_("The resident is released."),
}
CUSTODY_ROLES = frozenset({"operator", "facility_officer"})


def keeps_custody(request: Request) -> bool:
    """Auditors look; operators and officers book, transfer and release."""
    return bool(CUSTODY_ROLES & set(request.session.get("roles", ())))


def residents_path(facility: pb.Facility) -> str:
    return f"/console/facilities/{facility.facility_id}/residents"


def form_page(request: Request, template: str, form: Form, **context: Any) -> Response:
    """The page of `form`: 400 when the form says what was refused."""
    return render(request, template, 400 if form.errors else 200, form=form, **context)


async def change(request: Request, form: Form, method: str, message: Message) -> bool:
    """Ask identity for a change of custody; False, with the refusal on `form`, if refused."""
    try:
        await call_signed_in(request, getattr(services(request).identity, method), message)
    except Refusal as refusal:
        form.refused(refusal)
        return False
    return True


async def residents(request: Request) -> Response:
    """The facility's residents held now, found by last name or ID (identity lists no more)."""
    facility = await facility_of(request)
    form = Form(SEARCH, {name: request.query_params.get(name, "").strip() for name in SEARCH})
    found: list[pb.ResidentSummary] | None = None
    if any(form.values.values()):
        search = pb.SearchResidentsRequest(**form.values, facility_id=facility.facility_id)
        try:
            reply = await call_signed_in(
                request, services(request).identity.SearchResidents, search
            )
        except Refusal as refusal:
            form.refused(refusal)
        else:
            found = list(reply.residents)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return form_page(
        request,
        "console_residents.html",
        form,
        facility=facility,
        found=found,
        notice=_(notice) if notice else "",
        may_change=keeps_custody(request),
    )


async def book(request: Request) -> Response:
    facility = await facility_of(request)
    form = Form(BOOK)
    if request.method == "POST":
        form = await submitted(request, BOOK)
        if not form.missing(BOOK_REQUIRED):
            booking = pb.BookResidentRequest(facility_id=facility.facility_id, **form.values)
            if await change(request, form, "BookResident", booking):
                return with_notice(residents_path(facility), "booked")
    return form_page(request, "console_book.html", form, facility=facility)


async def transfer(request: Request) -> Response:
    facility = await facility_of(request)
    resident_id = request.path_params["resident_id"]
    form = Form(TRANSFER)
    if request.method == "POST":
        form = await submitted(request, TRANSFER)
        if not form.missing({"to_facility_id": "to_facility_id_missing"}):
            moving = pb.TransferResidentRequest(
                facility_id=facility.facility_id, resident_id=resident_id, **form.values
            )
            if await change(request, form, "TransferResident", moving):
                return with_notice(residents_path(facility), "transferred")
    listed = await call(
        request, services(request).identity.ListFacilities, pb.ListFacilitiesRequest()
    )
    destinations = [
        (f.facility_id, f.settings.name or f.facility_id)
        for f in listed.facilities
        if f.facility_id != facility.facility_id
    ]
    return form_page(
        request,
        "console_transfer.html",
        form,
        facility=facility,
        resident_id=resident_id,
        destinations=sorted(destinations, key=lambda option: option[1]),
    )


async def release(request: Request) -> Response:
    facility = await facility_of(request)
    resident_id = request.path_params["resident_id"]
    form = Form(())
    if request.method == "POST":
        leaving = pb.ReleaseResidentRequest(
            facility_id=facility.facility_id, resident_id=resident_id
        )
        if await change(request, form, "ReleaseResident", leaving):
            return with_notice(residents_path(facility), "released")
    return form_page(
        request, "console_release.html", form, facility=facility, resident_id=resident_id
    )


RESIDENT = "/console/facilities/{facility_id}/residents/{resident_id}"
routes = [
    Route("/console/facilities/{facility_id}/residents", residents),
    Route("/console/facilities/{facility_id}/book", book, methods=["GET", "POST"]),
    Route(f"{RESIDENT}/transfer", transfer, methods=["GET", "POST"]),
    Route(f"{RESIDENT}/release", release, methods=["GET", "POST"]),
]
