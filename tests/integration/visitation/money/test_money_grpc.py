"""EndVisit, RequestRefund, ListRefundRequests and DecideRefundRequest as clients call them:
who may call each, and every refusal with its stable code and the request field at fault. On
SQLite and on the real PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import grpc
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_visitation.service_layer.visitation import Visitation

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.visitation.money.conftest import Outside
from tests.integration.visitation.money.test_visit_money import at
from tests.integration.visitation.money.test_visit_money import started
from tests.visitation_money import FACILITY
from tests.visitation_money import OTHER_FACILITY

Stub = visitation_pb2_grpc.VisitationServiceStub
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def officer(token_keys: TokenKeys, facility: str = FACILITY) -> list[tuple[str, str]]:
    return bearer(token_keys.token(str(uuid4()), Role.FACILITY_OFFICER, facilities=[facility]))


async def test_an_officer_ends_a_visit_of_their_facility_with_a_reason(
    visitation_stub: Stub,
    visitation: Visitation,
    outside: Outside,
    clock: Clock,
    token_keys: TokenKeys,
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 75)
    end = pb.EndVisitRequest(visit_id=str(visit.visit_id), reason="Facility count")
    for request, metadata, status, reason, field in (
        (
            pb.EndVisitRequest(visit_id="nope"),
            officer(token_keys),
            INVALID,
            "visit_id_invalid",
            "visit_id",
        ),
        (
            pb.EndVisitRequest(visit_id=end.visit_id),
            officer(token_keys),
            INVALID,
            "reason_missing",
            "reason",
        ),
        (
            end,
            officer(token_keys, OTHER_FACILITY),
            grpc.StatusCode.PERMISSION_DENIED,
            "facility_out_of_scope",
            "facility_id",
        ),
        (
            end,
            token_keys.family(str(uuid4())),
            grpc.StatusCode.NOT_FOUND,
            "visit_not_found",
            "visit_id",
        ),
    ):
        await refused_over_grpc(
            visitation_stub.EndVisit(request, metadata=metadata), status, reason, field
        )
    ended = await visitation_stub.EndVisit(end, metadata=officer(token_keys))
    assert (ended.status, ended.end_reason, ended.end_note) == (
        pb.VISIT_STATUS_ENDED,
        pb.END_REASON_OFFICER_ENDED,
        "Facility count",
    )
    # 75 s connected: minute 2, cut short by the officer, not paid for (the service's meter
    # may have charged it first: then it was given back).
    assert (ended.connected_seconds, ended.charged_cents - ended.credited_cents) == (75, 25)
    assert outside.rooms.closed == [visit.visit_id]


async def test_a_refund_is_requested_listed_and_decided_once(
    visitation_stub: Stub,
    visitation: Visitation,
    outside: Outside,
    clock: Clock,
    token_keys: TokenKeys,
) -> None:
    visit = started(visitation, clock, outside)
    family = token_keys.family(str(visit.account_id))
    operator = bearer(token_keys.token(str(uuid4()), Role.OPERATOR))
    file = pb.RequestRefundRequest(
        request_id=str(uuid4()),
        visit_id=str(visit.visit_id),
        problem=pb.REFUND_PROBLEM_DROPPED,
        description="The picture froze.",
    )
    await refused_over_grpc(
        visitation_stub.RequestRefund(file, metadata=family),
        grpc.StatusCode.FAILED_PRECONDITION,
        "visit_not_ended",
        "visit_id",
    )
    at(clock, visit, 130)
    await visitation_stub.EndVisit(pb.EndVisitRequest(visit_id=file.visit_id), metadata=family)
    for changed, reason, field in (
        (
            pb.RequestRefundRequest(problem=pb.REFUND_PROBLEM_DROPPED),
            "request_id_invalid",
            "request_id",
        ),
        (
            pb.RequestRefundRequest(request_id=file.request_id, visit_id=file.visit_id),
            "problem_missing",
            "problem",
        ),
        (
            pb.RequestRefundRequest(
                request_id=file.request_id, visit_id=file.visit_id, problem=pb.REFUND_PROBLEM_OTHER
            ),
            "description_invalid",
            "description",
        ),
    ):
        await refused_over_grpc(
            visitation_stub.RequestRefund(changed, metadata=family), INVALID, reason, field
        )
    filed = await visitation_stub.RequestRefund(file, metadata=family)
    assert (filed.status, filed.problem, filed.account_id) == (
        pb.REFUND_STATUS_PENDING,
        pb.REFUND_PROBLEM_DROPPED,
        str(visit.account_id),
    )
    assert (
        filed.due_by.ToDatetime().timestamp() - filed.requested_at.ToDatetime().timestamp()
        == 72 * 3600
    )

    pending = await visitation_stub.ListRefundRequests(
        pb.ListRefundRequestsRequest(status=pb.REFUND_STATUS_PENDING, page_size=10),
        metadata=operator,
    )
    assert [r.request_id for r in pending.requests] == [file.request_id]
    decide = pb.DecideRefundRequestRequest(
        request_id=file.request_id, approve=True, amount_cents=75
    )
    await refused_over_grpc(
        visitation_stub.DecideRefundRequest(decide, metadata=family),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )
    await refused_over_grpc(  # 3 minutes charged, all owed by a visitor's hang-up: 75 at most
        visitation_stub.DecideRefundRequest(
            pb.DecideRefundRequestRequest(
                request_id=file.request_id, approve=True, amount_cents=76
            ),
            metadata=operator,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "amount_above_refundable",
        "amount_cents",
    )
    approved = await visitation_stub.DecideRefundRequest(decide, metadata=operator)
    assert (approved.status, approved.amount_cents) == (pb.REFUND_STATUS_APPROVED, 75)
    await refused_over_grpc(
        visitation_stub.DecideRefundRequest(
            pb.DecideRefundRequestRequest(request_id=file.request_id, reason="caller_side"),
            metadata=operator,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "refund_request_decided",
        "request_id",
    )
    mine = await visitation_stub.ListRefundRequests(
        pb.ListRefundRequestsRequest(page_size=10), metadata=family
    )
    assert [(r.request_id, r.status) for r in mine.requests] == [
        (file.request_id, pb.REFUND_STATUS_APPROVED)
    ]
    assert outside.wallet.balances[visit.account_id] == 1000
