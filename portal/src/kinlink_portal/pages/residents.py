"""Finding a resident to send to: by four or more letters of the last name, or the resident id
the facility gave, at one facility or all."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

SEARCH = ("last_name", "resident_id", "facility_id")


async def facility_options(request: Request) -> list[tuple[str, str]]:
    """(id, name) of every facility, by name."""
    listing = pb.ListFacilitiesRequest()
    facilities = await call(request, services(request).identity.ListFacilities, listing)
    return sorted(
        ((f.facility_id, f.settings.name or f.facility_id) for f in facilities.facilities),
        key=lambda option: option[1],
    )


async def find_resident(request: Request) -> Response:
    """A GET form: a search changes nothing, and its address can be kept or shared."""
    identity = services(request).identity
    form = Form(SEARCH, {name: request.query_params.get(name, "").strip() for name in SEARCH})
    options = await facility_options(request)
    found: list[pb.ResidentSummary] | None = None
    if any(form.values.values()):
        search = pb.SearchResidentsRequest(**form.values)
        try:
            found = list(
                (await call_signed_in(request, identity.SearchResidents, search)).residents
            )
        except Refusal as refusal:
            form.refused(refusal)
    status = 400 if form.errors else 200
    return render(request, "find_resident.html", status, form=form, facilities=options, found=found)


routes = [Route("/residents", find_resident)]
