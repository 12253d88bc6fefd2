"""The console's video visits. Officers: the day's visits per station on the facility's clock
(a date picker), a visit ended with a reason (charged only for the minutes connected), a
scheduled visit cancelled with a note (anything charged credited in full). Operators: the
refund requests, overdue first, each approved for an amount (issued as a credit) or denied
with a reason."""

from __future__ import annotations

from urllib.parse import urlencode

from google.protobuf.message import Message
from kinlink.visitation.v1 import visitation_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.money import cents_of
from kinlink_portal.money import dollars
from kinlink_portal.money import typed_dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.console import facility_of
from kinlink_portal.pages.console import is_operator
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.pages.visit_parts import UNDER_WAY
from kinlink_portal.pages.visit_parts import VisitClock
from kinlink_portal.pages.visit_parts import moment
from kinlink_portal.pages.visit_parts import now_of
from kinlink_portal.pages.visits import PROBLEM_WORDS
from kinlink_portal.pages.visits import visit_words
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.sessions import require_staff

REASON, NOTE, DATE = "reason", "note", "date"
APPROVE, AMOUNT = "approve", "amount_cents"
# Why an operator denies a refund (the codes are the service's).
DENIALS = (
    ("caller_side", N_("A problem on the caller's end (internet, camera, microphone, device)")),
    ("not_our_fault_other", N_("Not caused by Kinlink or the facility")),
    ("already_credited", N_("Already credited")),
)
REFUNDS_PATH = "/console/video-refunds"


def day_path(facility_id: str) -> str:
    return f"/console/facilities/{facility_id}/visits"


async def station_day(
    request: Request, refused_id: str = "", refused_form: Form | None = None
) -> Response:
    """One facility-local day's visits per station; after a refused end or cancel, that
    visit's form says why."""
    facility = await facility_of(request)
    zone = facility.settings.time_zone or "UTC"
    clock = VisitClock(zone, zone)
    day = request.query_params.get(DATE, "") or clock.facility_today(now_of(request)).isoformat()
    asked = pb.ListStationDayRequest(facility_id=facility.facility_id, date=day)
    form = Form((DATE,), {DATE: day})
    stations: list[pb.StationSchedule] = []
    try:
        found = await call_signed_in(request, services(request).visitation.ListStationDay, asked)
        stations = list(found.stations)
    except Refusal as refusal:
        if refusal.code in ("role_not_allowed", "facility_out_of_scope"):
            raise
        form.refused(refusal)
    return render(
        request,
        "console_visits.html",
        400 if form.errors or refused_form is not None else 200,
        facility=facility,
        form=form,
        stations=stations,
        clock=clock,
        words=visit_words,
        under_way=UNDER_WAY,
        scheduled=pb.VISIT_STATUS_SCHEDULED,
        form_date=day,
        refused_id=refused_id,
        refused_form=refused_form,
        blank=Form((REASON, NOTE)),
        notice=request.query_params.get("notice", ""),
        dollars=dollars,
    )


async def end_visit(request: Request) -> Response:
    """An officer ends a visit under way, with a reason the family is shown."""
    form = await submitted(request, (REASON,))
    ending = pb.EndVisitRequest(
        visit_id=request.path_params["visit_id"], reason=form.values[REASON]
    )
    return await changed(request, form, "EndVisit", ending, "reason_missing")


async def cancel_visit(request: Request) -> Response:
    """Staff cancel a scheduled visit with a note the family is shown."""
    form = await submitted(request, (NOTE,))
    cancelling = pb.CancelVisitRequest(
        visit_id=request.path_params["visit_id"], note=form.values[NOTE]
    )
    return await changed(request, form, "CancelVisit", cancelling, "note_missing")


async def changed(
    request: Request, form: Form, method: str, message: Message, missing: str
) -> Response:
    """The visit changed by visitation's `method` once `form`'s one field is filled in (else
    `missing` said beside it); back to the day, or that visit's form saying why not."""
    facility = await facility_of(request)
    notices = {"CancelVisit": "cancelled", "EndVisit": "ended"}
    try:
        if not form.missing({form.fields[0]: missing}):
            visitation = services(request).visitation
            await call_signed_in(request, getattr(visitation, method), message)
            day = {DATE: request.query_params.get(DATE, ""), "notice": notices[method]}
            return see_other(f"{day_path(facility.facility_id)}?{urlencode(day)}")
    except Refusal as refusal:
        if refusal.code == "facility_out_of_scope":
            raise
        form.refused(refusal)
    return await station_day(request, request.path_params["visit_id"], form)


def require_operator(request: Request) -> None:
    require_staff(request)
    if not is_operator(request):
        raise Refusal("role_not_allowed")


async def refund_requests(
    request: Request, refused_id: str = "", refused_form: Form | None = None
) -> Response:
    """The pending refund requests, overdue first (the service's order), with their visits."""
    require_operator(request)
    asked = pb.ListRefundRequestsRequest(
        status=pb.REFUND_STATUS_PENDING, page_size=PAGE_SIZE, page_token=page_token(request)
    )
    visitation = services(request).visitation
    page = await call_signed_in(request, visitation.ListRefundRequests, asked)
    visits = {}
    for each in page.requests:
        found = pb.GetVisitRequest(visit_id=each.visit_id)
        visits[each.visit_id] = await call_signed_in(request, visitation.GetVisit, found)
    now = now_of(request)
    return render(
        request,
        "console_video_refunds.html",
        400 if refused_form is not None else 200,
        requests=page.requests,
        visits=visits,
        next_page_token=page.next_page_token,
        first_page=bool(page_token(request)),
        overdue=lambda each: moment(each.due_by) <= now,
        refundable=lambda visit: visit.charged_cents - visit.credited_cents,
        problem_words=PROBLEM_WORDS,
        denials=DENIALS,
        refused_id=refused_id,
        refused_form=refused_form,
        blank=lambda visit: Form(
            (AMOUNT, REASON, NOTE),
            {AMOUNT: typed_dollars(visit.charged_cents - visit.credited_cents)},
        ),
        facilities=await facilities(request),
        notice=request.query_params.get("notice", ""),
        dollars=dollars,
    )


async def decide_refund(request: Request) -> Response:
    """Approve an amount (issued as a credit to the family's account) or deny with a reason."""
    require_operator(request)
    request_id = request.path_params["request_id"]
    form = await submitted(request, (AMOUNT, REASON, NOTE), hidden=(APPROVE,))
    approve = form.values[APPROVE] == "yes"
    try:
        amount = cents_of(form.values[AMOUNT], AMOUNT) if approve else 0
        if approve or not form.missing({REASON: "reason_missing"}):
            deciding = pb.DecideRefundRequestRequest(
                request_id=request_id,
                approve=approve,
                amount_cents=amount,
                reason="" if approve else form.values[REASON],
                note=form.values[NOTE],
            )
            visitation = services(request).visitation
            await call_signed_in(request, visitation.DecideRefundRequest, deciding)
            return with_notice(REFUNDS_PATH, "approved" if approve else "denied")
    except Refusal as refusal:
        form.refused(refusal)
    return await refund_requests(request, request_id, form)


routes = [
    Route(REFUNDS_PATH, refund_requests),
    Route(REFUNDS_PATH + "/{request_id}/decision", decide_refund, methods=["POST"]),
    Route("/console/facilities/{facility_id}/visits", station_day),
    Route("/console/facilities/{facility_id}/visits/{visit_id}/end", end_visit, methods=["POST"]),
    Route(
        "/console/facilities/{facility_id}/visits/{visit_id}/cancel",
        cancel_visit,
        methods=["POST"],
    ),
]
