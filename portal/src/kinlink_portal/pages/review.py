"""The console's review queue: a facility's messages waiting for an officer, oldest first, with
their photos' thumbnails; each approved, or rejected with a reason the sender reads."""

from __future__ import annotations

from kinlink.messaging.v1 import messaging_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.console import facility_of
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

REASON = "reason"


def queue_path(facility_id: str) -> str:
    return f"/console/facilities/{facility_id}/review"


async def review_queue(
    request: Request, refused_id: str = "", refused_form: Form | None = None
) -> Response:
    """The queue; after a refused decision, that message's form says why beside its field."""
    facility = await facility_of(request)
    listing = pb.ListReviewQueueRequest(
        facility_id=facility.facility_id, page_size=PAGE_SIZE, page_token=page_token(request)
    )
    page = await call_signed_in(request, services(request).messaging.ListReviewQueue, listing)
    return render(
        request,
        "review_queue.html",
        400 if refused_form is not None else 200,
        facility=facility,
        items=page.items,
        next_page_token=page.next_page_token,
        first_page=bool(page_token(request)),
        refused_id=refused_id,
        refused_form=refused_form,
        blank=Form((REASON,)),
        facilities=await facilities(request),
        notice=request.query_params.get("notice", ""),
    )


async def approve(request: Request) -> Response:
    return await decide(request, approving=True)


async def reject(request: Request) -> Response:
    return await decide(request, approving=False)


async def decide(request: Request, approving: bool) -> Response:
    """Approve or reject (with a reason) one message; the answer goes back to the queue."""
    facility = await facility_of(request)
    message_id = request.path_params["message_id"]
    form = await submitted(request, (REASON,))
    messaging = services(request).messaging
    try:
        if approving:
            approval = pb.ApproveMessageRequest(message_id=message_id)
            await call_signed_in(request, messaging.ApproveMessage, approval)
        else:
            rejection = pb.RejectMessageRequest(message_id=message_id, reason=form.values[REASON])
            await call_signed_in(request, messaging.RejectMessage, rejection)
    except Refusal as refusal:
        if refusal.code == "facility_out_of_scope":
            raise
        return await review_queue(request, message_id, form.refused(refusal))
    notice = "approved" if approving else "rejected"
    return with_notice(queue_path(facility.facility_id), notice)


routes = [
    Route("/console/facilities/{facility_id}/review", review_queue),
    Route(
        "/console/facilities/{facility_id}/review/{message_id}/approve", approve, methods=["POST"]
    ),
    Route("/console/facilities/{facility_id}/review/{message_id}/reject", reject, methods=["POST"]),
]
