"""The residents of a facility, in the console: officers and operators list, find, book,
transfer and release them. Identity decides who may: an officer only for the facilities in
their care, and for a transfer, for the destination too (refused beside it)."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.console import facility_of
from kinlink_portal.pages.form_pages import answered
from kinlink_portal.pages.form_pages import facility_options
from kinlink_portal.pages.form_pages import form_page
from kinlink_portal.sentences import N_
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
# Residents listed a page: a screenful on a computer, a short scroll on a phone.
ROLL_PAGE_SIZE = 25


def keeps_custody(request: Request) -> bool:
    """Auditors look; operators and officers book, transfer and release."""
    return bool(CUSTODY_ROLES & set(request.session.get("roles", ())))


def residents_path(facility: pb.Facility) -> str:
    return f"/console/facilities/{facility.facility_id}/residents"


async def residents(request: Request) -> Response:
    """The facility's residents held now, by name a page at a time, and found by last name or
    ID."""
    facility = await facility_of(request)
    page = request.query_params.get("page", "")
    roll = await call_signed_in(
        request,
        services(request).identity.ListResidents,
        pb.ListResidentsRequest(
            facility_id=facility.facility_id,
            status=pb.RESIDENT_STATUS_IN_CUSTODY,
            page_size=ROLL_PAGE_SIZE,
            page_token=page,
        ),
    )
    form = Form(SEARCH, {name: request.query_params.get(name, "").strip() for name in SEARCH})
    found: list[pb.ResidentSummary] | None = None
    if any(form.values.values()):
        search = pb.SearchResidentsRequest(**form.values, facility_id=facility.facility_id)
        reply = await answered(request, form, "SearchResidents", search)
        if reply is not None:
            found = list(reply.residents)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return form_page(
        request,
        "console_residents.html",
        form,
        facility=facility,
        found=found,
        roll=roll,
        first_page=bool(page),
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
            if await answered(request, form, "BookResident", booking) is not None:
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
            if await answered(request, form, "TransferResident", moving) is not None:
                return with_notice(residents_path(facility), "transferred")
    return form_page(
        request,
        "console_transfer.html",
        form,
        facility=facility,
        resident_id=resident_id,
        destinations=await facility_options(request, leaving_out=facility.facility_id),
    )


async def release(request: Request) -> Response:
    facility = await facility_of(request)
    resident_id = request.path_params["resident_id"]
    form = Form(())
    if request.method == "POST":
        leaving = pb.ReleaseResidentRequest(
            facility_id=facility.facility_id, resident_id=resident_id
        )
        if await answered(request, form, "ReleaseResident", leaving) is not None:
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
