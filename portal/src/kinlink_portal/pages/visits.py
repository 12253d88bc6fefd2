"""Video Visits for the family: My Video Visits (upcoming and past), a visit's page (both
clocks, status, charged and credited; Cancel before it starts, Connect while it is open,
Request a Refund once ended), cancelling, hanging up for good, and the refund request."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote as quoted

from google.protobuf.message import Message
from kinlink.visitation.v1 import visitation_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import FORM_WIDE
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext
from kinlink_portal.money import dollars
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.commissary_parts import named_one
from kinlink_portal.pages.commissary_parts import named_rows
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.pages.messaging import wallet_of
from kinlink_portal.pages.visit_parts import CANCELLED_BY
from kinlink_portal.pages.visit_parts import ENDED_BECAUSE
from kinlink_portal.pages.visit_parts import KINDS
from kinlink_portal.pages.visit_parts import STATUS
from kinlink_portal.pages.visit_parts import UNDER_WAY
from kinlink_portal.pages.visit_parts import clock_for
from kinlink_portal.pages.visit_parts import may_cancel
from kinlink_portal.pages.visit_parts import may_connect
from kinlink_portal.pages.visit_parts import minutes_covered
from kinlink_portal.pages.visit_parts import now_of
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

PROBLEM, DESCRIPTION = "problem", "description"
# The problems a visitor may ask a refund for, in the words they read.
PROBLEMS = (
    (pb.REFUND_PROBLEM_DROPPED, "dropped", N_("The call dropped")),
    (pb.REFUND_PROBLEM_COULD_NOT_CONNECT, "could_not_connect", N_("We could not connect")),
    (pb.REFUND_PROBLEM_VIDEO_QUALITY, "video_quality", N_("The picture was bad")),
    (pb.REFUND_PROBLEM_AUDIO_QUALITY, "audio_quality", N_("The sound was bad")),
    (pb.REFUND_PROBLEM_OTHER, "other", N_("Something else")),
)
PROBLEM_WORDS = {number: words for number, _, words in PROBLEMS}
# The FAQ: no credit or refund for problems on the caller's end.
CALLER_SIDE = (
    N_("your internet connection"),
    N_("your camera or microphone"),
    N_("your computer, phone or tablet"),
    N_("your web browser or its settings"),
)
REFUND_STATUS = {
    pb.REFUND_STATUS_PENDING: N_("Being reviewed"),
    pb.REFUND_STATUS_APPROVED: N_("Approved: issued as a credit to your account"),
    pb.REFUND_STATUS_DENIED: N_("Not approved"),
}
NOTICES = {
    "scheduled": N_("Your video visit is scheduled."),
    "dialled": N_("Your call is ready: connect now."),
    "cancelled": N_("Your visit is cancelled. Anything charged for it is credited back."),
    "ended": N_("You ended the visit."),
    "refund_requested": N_(
        "Your refund request is sent. We review it within 72 hours; if approved, the refund is "
        "issued as a credit to your account."
    ),
}


def visit_path(visit_id: str) -> str:
    return f"/visits/{quoted(visit_id, safe='')}"


async def get_visit(request: Request, visit_id: str) -> pb.Visit:
    asked = pb.GetVisitRequest(visit_id=visit_id)
    return await call_signed_in(request, services(request).visitation.GetVisit, asked)


async def my_visits(request: Request) -> Response:
    """Video Visits: what to do (schedule, dial, test), the wallet, the upcoming visits, then
    every visit page by page."""
    visitation = services(request).visitation
    upcoming_asked = pb.ListVisitsRequest(upcoming_only=True, page_size=PAGE_SIZE)
    upcoming = await call_signed_in(request, visitation.ListVisits, upcoming_asked)
    token = page_token(request)
    listing = pb.ListVisitsRequest(page_size=PAGE_SIZE, page_token=token)
    page = await call_signed_in(request, visitation.ListVisits, listing)
    upcoming_ids = {visit.visit_id for visit in upcoming.visits}
    past = [visit for visit in page.visits if visit.visit_id not in upcoming_ids]
    now = now_of(request)
    return render(
        request,
        "visits.html",
        upcoming=upcoming.visits,
        past=past,
        next_page_token=page.next_page_token,
        first_page=bool(token),
        wallet=await wallet_of(request),
        **await named_rows(request, [*upcoming.visits, *past]),
        visit_words=visit_words,
        may_cancel=lambda visit: may_cancel(visit, now),
        may_connect=lambda visit: may_connect(visit, now),
        ended=pb.VISIT_STATUS_ENDED,
        dollars=dollars,
    )


def visit_words(visit: pb.Visit) -> dict[str, str]:
    return {
        "status": STATUS.get(visit.status, N_("Scheduled")),
        "kind": KINDS.get(visit.kind, N_("From home")),
        "cancelled": CANCELLED_BY.get(visit.cancelled_by, ""),
        "ended": ENDED_BECAUSE.get(visit.end_reason, ""),
    }


async def visit_page(
    request: Request, problem: str = "", status: int = 200, visit: pb.Visit | None = None
) -> Response:
    """One visit, its times on both clocks, and what may be done with it now."""
    visit = visit or await get_visit(request, request.path_params["visit_id"])
    now = now_of(request)
    clock = await clock_for(request, visit.facility_time_zone)
    wallet = await wallet_of(request)
    balance = wallet.balance_cents if wallet is not None else 0
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    ended = visit.status == pb.VISIT_STATUS_ENDED  # only an ended visit's refunds are asked for
    return render(
        request,
        "visit.html",
        status,
        visit=visit,
        clock=clock,
        words=visit_words(visit),
        notice=notice,
        problem=Form((), errors={FORM_WIDE: problem} if problem else {}),
        may_cancel=may_cancel(visit, now),
        may_connect=may_connect(visit, now),
        under_way=visit.status in UNDER_WAY,
        may_ask_refund=ended,
        refunds=await refunds_of(request, visit.visit_id) if ended else [],
        refund_words=REFUND_STATUS,
        problem_words=PROBLEM_WORDS,
        balance=balance,
        covers=minutes_covered(balance, visit.price_per_minute_cents),
        remote=visit.kind == pb.VISIT_KIND_REMOTE,
        scheduled=pb.VISIT_STATUS_SCHEDULED,
        pending=pb.REFUND_STATUS_PENDING,
        **await named_one(request, visit),
        dollars=dollars,
    )


async def refunds_of(request: Request, visit_id: str) -> list[pb.RefundRequest]:
    """The family member's refund requests for one visit (their own are all they are shown)."""
    found: list[pb.RefundRequest] = []
    token = ""
    while True:
        asked = pb.ListRefundRequestsRequest(page_size=PAGE_SIZE, page_token=token)
        page = await call_signed_in(request, services(request).visitation.ListRefundRequests, asked)
        found.extend(each for each in page.requests if each.visit_id == visit_id)
        token = page.next_page_token
        if not token:
            return found


async def cancel_visit(request: Request) -> Response:
    visit_id = request.path_params["visit_id"]
    return await changed(request, "CancelVisit", pb.CancelVisitRequest(visit_id=visit_id))


async def hang_up(request: Request) -> Response:
    """The visitor leaves for good: the visit ends and is charged for the minutes connected."""
    visit_id = request.path_params["visit_id"]
    return await changed(request, "EndVisit", pb.EndVisitRequest(visit_id=visit_id))


async def changed(request: Request, method: str, message: Message) -> Response:
    """The visit changed by visitation's `method`, its page then saying so (or why not)."""
    notices = {"CancelVisit": "cancelled", "EndVisit": "ended"}
    try:
        await call_signed_in(request, getattr(services(request).visitation, method), message)
    except Refusal as refusal:
        return await visit_page(request, sentence(refusal.code), 400)
    return with_notice(visit_path(request.path_params["visit_id"]), notices[method])


async def request_refund(request: Request) -> Response:
    """Request a Refund of an ended visit: the problem and what happened; the caller-side
    problems that are never refunded are said first."""
    visit = await get_visit(request, request.path_params["visit_id"])
    codes = {code: number for number, code, _ in PROBLEMS}
    if request.method == "POST":
        form = await submitted(request, (PROBLEM, DESCRIPTION), hidden=("request_id",))
        asking = pb.RequestRefundRequest(
            request_id=form.values["request_id"],
            visit_id=visit.visit_id,
            problem=codes.get(form.values[PROBLEM], pb.REFUND_PROBLEM_UNSPECIFIED),
            description=form.values[DESCRIPTION],
        )
        try:
            if not form.missing({PROBLEM: "problem_missing"}):
                visitation = services(request).visitation
                await call_signed_in(request, visitation.RequestRefund, asking)
                return with_notice(visit_path(visit.visit_id), "refund_requested")
        except Refusal as refusal:
            form.refused(refusal)
    else:  # one request id per form shown: the same form sent twice asks once
        form = Form((PROBLEM, DESCRIPTION), {"request_id": str(uuid.uuid4())})
    context: dict[str, Any] = await named_one(request, visit)
    return render(
        request,
        "visit_refund.html",
        400 if form.errors else 200,
        visit=visit,
        form=form,
        problems=[(code, gettext(words)) for _, code, words in PROBLEMS],
        caller_side=CALLER_SIDE,
        clock=await clock_for(request, visit.facility_time_zone),
        dollars=dollars,
        **context,
    )


routes = [
    Route("/visits", my_visits),
    Route("/visits/{visit_id}", visit_page),
    Route("/visits/{visit_id}/cancel", cancel_visit, methods=["POST"]),
    Route("/visits/{visit_id}/end", hang_up, methods=["POST"]),
    Route("/visits/{visit_id}/refund", request_refund, methods=["GET", "POST"]),
]
