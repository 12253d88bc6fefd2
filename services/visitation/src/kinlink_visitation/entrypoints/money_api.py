"""EndVisit, RequestRefund, ListRefundRequests and DecideRefundRequest: ending visits and the
refund requests of ended ones."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp

from kinlink_visitation.domain.refund_request import RefundProblem
from kinlink_visitation.domain.refund_request import RefundRequest
from kinlink_visitation.domain.refund_request import RefundStatus
from kinlink_visitation.entrypoints.messages import REQUEST_FIELDS
from kinlink_visitation.entrypoints.messages import method
from kinlink_visitation.entrypoints.messages import visit_message
from kinlink_visitation.service_layer.end_visit import EndVisit
from kinlink_visitation.service_layer.end_visit import end_visit_as
from kinlink_visitation.service_layer.refund_requests import DecideRefundRequest
from kinlink_visitation.service_layer.refund_requests import ListRefundRequests
from kinlink_visitation.service_layer.refund_requests import RequestRefund
from kinlink_visitation.service_layer.refund_requests import decide_refund_request
from kinlink_visitation.service_layer.refund_requests import list_refund_requests
from kinlink_visitation.service_layer.refund_requests import request_refund
from kinlink_visitation.service_layer.visitation import Visitation

MONEY_POLICY: AccessPolicy = {
    # The visitor ends their own visit; staff of its facility end it with a reason.
    method("EndVisit"): frozenset({Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.OPERATOR}),
    method("RequestRefund"): frozenset({Role.FAMILY_MEMBER}),
    # Operators see every request, family members their own.
    method("ListRefundRequests"): frozenset({Role.FAMILY_MEMBER, Role.OPERATOR}),
    method("DecideRefundRequest"): frozenset({Role.OPERATOR}),
}

_PROBLEMS = proto_enum(RefundProblem, pb.RefundProblem)
_PROBLEM_OF = {value: problem for problem, value in _PROBLEMS.items()}
_REFUND_STATUSES = proto_enum(RefundStatus, pb.RefundStatus)
_REFUND_STATUS_OF = {value: status for status, value in _REFUND_STATUSES.items()}
_FIELDS = {
    **REQUEST_FIELDS,
    **dict.fromkeys(
        ("refund_request_not_found", "refund_request_id_reused", "refund_request_decided"),
        "request_id",
    ),
    **dict.fromkeys(
        ("amount_not_positive", "amount_above_refundable", "credit_above_charged"),
        "amount_cents",
    ),
    "visit_not_in_progress": "visit_id",
    "visit_not_ended": "visit_id",
    "nothing_to_refund": "visit_id",
    "description_invalid": "description",
    "reason_missing": "reason",
    "reason_invalid": "reason",
    "note_too_long": "note",
}


class ProblemMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("problem_missing", "Say what the problem was.", field="problem")


def refund_request_message(request: RefundRequest) -> pb.RefundRequest:
    message = pb.RefundRequest(
        request_id=str(request.request_id),
        visit_id=str(request.visit_id),
        account_id=str(request.account_id),
        facility_id=request.facility_id,
        problem=_PROBLEMS[request.problem],
        description=request.description,
        status=_REFUND_STATUSES[request.status],
        requested_at=timestamp(request.requested_at),
        due_by=timestamp(request.due_by),
        amount_cents=request.amount_cents,
        reason=request.reason.value if request.reason else "",
        note=request.note,
    )
    if request.decided_at is not None:
        message.decided_at.CopyFrom(timestamp(request.decided_at))
    return message


class MoneyApi:
    visitation: Visitation

    async def EndVisit(
        self, request: pb.EndVisitRequest, context: grpc.aio.ServicerContext
    ) -> pb.Visit:
        command = EndVisit(parse_id(request.visit_id, "visit_id"), request.reason)
        with request_fields(_FIELDS):
            visit = await asyncio.to_thread(
                end_visit_as, self.visitation, command, current_principal()
            )
        return visit_message(visit, self.visitation.clock())

    async def RequestRefund(
        self, request: pb.RequestRefundRequest, context: grpc.aio.ServicerContext
    ) -> pb.RefundRequest:
        problem = _PROBLEM_OF.get(request.problem)
        if problem is None:
            raise ProblemMissing()
        command = RequestRefund(
            parse_id(request.request_id, "request_id"),
            parse_id(request.visit_id, "visit_id"),
            problem,
            request.description,
        )
        with request_fields(_FIELDS):
            filed = await asyncio.to_thread(
                request_refund, self.visitation, command, current_principal()
            )
        return refund_request_message(filed)

    async def ListRefundRequests(
        self, request: pb.ListRefundRequestsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListRefundRequestsResponse:
        query = ListRefundRequests(
            facility_id=request.facility_id.strip(),
            status=_REFUND_STATUS_OF.get(request.status),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        with request_fields(_FIELDS):
            page = await asyncio.to_thread(
                list_refund_requests, self.visitation, query, current_principal()
            )
        return pb.ListRefundRequestsResponse(
            requests=[refund_request_message(r) for r in page.rows],
            next_page_token=page.next_page_token,
        )

    async def DecideRefundRequest(
        self, request: pb.DecideRefundRequestRequest, context: grpc.aio.ServicerContext
    ) -> pb.RefundRequest:
        command = DecideRefundRequest(
            parse_id(request.request_id, "request_id"),
            request.approve,
            request.amount_cents,
            request.reason.strip(),
            request.note,
        )
        with request_fields(_FIELDS):
            decided = await asyncio.to_thread(
                decide_refund_request, self.visitation, command, current_principal()
            )
        return refund_request_message(decided)
