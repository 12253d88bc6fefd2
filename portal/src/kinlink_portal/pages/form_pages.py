"""What the pages that are one form share: their answer, and asking identity for the change
they make."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response

from kinlink_portal.forms import Form
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in


def form_page(request: Request, template: str, form: Form, **context: Any) -> Response:
    """The page of `form`: 400 when the form says what was refused."""
    return render(request, template, 400 if form.errors else 200, form=form, **context)


async def answered(request: Request, form: Form, method: str, message: Message) -> Any | None:
    """Identity's answer to `message` (its `method`, as the signed-in person); None, with the
    refusal beside its field on `form`, if identity refuses."""
    try:
        return await call_signed_in(request, getattr(services(request).identity, method), message)
    except Refusal as refusal:
        form.refused(refusal)
        return None


async def facility_options(request: Request, leaving_out: str = "") -> list[tuple[str, str]]:
    """(id, name) of every facility but `leaving_out`, by name: a select's or checkboxes'."""
    listed = await call(
        request, services(request).identity.ListFacilities, pb.ListFacilitiesRequest()
    )
    options = [
        (f.facility_id, f.settings.name or f.facility_id)
        for f in listed.facilities
        if f.facility_id != leaving_out
    ]
    return sorted(options, key=lambda option: option[1])
