"""The console's commissary packs that need someone: overdue ones (not delivered a week after
they were paid; support answers the family's Contact Us) and those whose resident left before
delivery, for which an officer records what the facility did with the pack. Officers see their
facility's; operators every facility's too."""

from __future__ import annotations

from kinlink.commissary.v1 import commissary_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.money import dollars
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.console import facility_of
from kinlink_portal.pages.console import is_operator
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.sessions import require_staff

DECISION, NOTE = "decision", "note"
# The facility's choices, in the words an officer reads (the codes are the service's).
DECISIONS = (
    ("held_for_pickup", N_("Held at the facility for pickup")),
    ("forwarded", N_("Forwarded to the resident's new address or facility")),
    ("given_to_resident", N_("Given to the resident before they left")),
    ("returned_to_vendor", N_("Returned to the vendor")),
    ("discarded", N_("Discarded")),
)


def flagged_path(facility_id: str) -> str:
    return f"/console/facilities/{facility_id}/commissary"


async def flagged_orders(
    request: Request, refused_id: str = "", refused_form: Form | None = None
) -> Response:
    """One facility's flagged packs; after a refused decision, that order's form says why."""
    facility = await facility_of(request)
    return await _flagged_page(
        request, facility.facility_id, facility.settings.name, refused_id, refused_form
    )


async def every_facilitys_flagged_orders(request: Request) -> Response:
    """For operators (support): every facility's flagged packs."""
    require_staff(request)
    if not is_operator(request):
        raise Refusal("role_not_allowed")
    return await _flagged_page(request, "", "", "", None)


async def _flagged_page(
    request: Request,
    facility_id: str,
    facility_name: str,
    refused_id: str,
    refused_form: Form | None,
) -> Response:
    listing = pb.ListFlaggedOrdersRequest(
        facility_id=facility_id, page_size=PAGE_SIZE, page_token=page_token(request)
    )
    page = await call_signed_in(request, services(request).commissary.ListFlaggedOrders, listing)
    return render(
        request,
        "console_commissary.html",
        400 if refused_form is not None else 200,
        facility_id=facility_id,
        facility_name=facility_name,
        orders=page.orders,
        next_page_token=page.next_page_token,
        first_page=bool(page_token(request)),
        decisions=DECISIONS,
        refused_id=refused_id,
        refused_form=refused_form,
        blank=Form((DECISION, NOTE)),
        delivered=pb.FULFILMENT_DELIVERED,
        left_none=pb.RESIDENT_LEFT_NONE,
        left_transferred=pb.RESIDENT_LEFT_TRANSFERRED,
        left_released=pb.RESIDENT_LEFT_RELEASED,
        dollars=dollars,
        facilities=await facilities(request),
        notice=request.query_params.get("notice", ""),
    )


async def record_decision(request: Request) -> Response:
    """What the facility did with one pack; the answer goes back to the facility's list."""
    facility = await facility_of(request)
    order_id = request.path_params["order_id"]
    form = await submitted(request, (DECISION, NOTE))
    decision = pb.RecordPackDecisionRequest(
        order_id=order_id, decision=form.values[DECISION], note=form.values[NOTE]
    )
    try:
        await call_signed_in(request, services(request).commissary.RecordPackDecision, decision)
    except Refusal as refusal:
        if refusal.code == "facility_out_of_scope":
            raise
        return await flagged_orders(request, order_id, form.refused(refusal))
    return with_notice(flagged_path(facility.facility_id), "decided")


routes = [
    Route("/console/commissary", every_facilitys_flagged_orders),
    Route("/console/facilities/{facility_id}/commissary", flagged_orders),
    Route(
        "/console/facilities/{facility_id}/commissary/{order_id}/decision",
        record_decision,
        methods=["POST"],
    ),
]
