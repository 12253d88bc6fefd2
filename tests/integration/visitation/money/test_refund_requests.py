"""Refund requests on SQLite and on the real PostgreSQL: the visitor files one for an ended,
charged visit of their own; an operator decides it once; approvals never add up to more than
the visit was charged less what was given back, even two at once; the approved amount is
credited to the family's account once, by the refund sweep when the ledger did not answer;
operators list the pending ones first, the longest overdue first."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import ClientError
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.domain.refund_request import AmountAboveRefundable
from kinlink_visitation.domain.refund_request import DenialReason
from kinlink_visitation.domain.refund_request import RefundProblem
from kinlink_visitation.domain.refund_request import RefundRequest
from kinlink_visitation.domain.refund_request import RefundRequestDecided
from kinlink_visitation.domain.refund_request import RefundStatus
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.wallet import refund_reference
from kinlink_visitation.service_layer.end_visit import EndVisit
from kinlink_visitation.service_layer.end_visit import end_visit_as
from kinlink_visitation.service_layer.meter import meter_visits
from kinlink_visitation.service_layer.refund_requests import DecideRefundRequest
from kinlink_visitation.service_layer.refund_requests import ListRefundRequests
from kinlink_visitation.service_layer.refund_requests import NothingToRefund
from kinlink_visitation.service_layer.refund_requests import RequestRefund
from kinlink_visitation.service_layer.refund_requests import VisitNotEnded
from kinlink_visitation.service_layer.refund_requests import decide_refund_request
from kinlink_visitation.service_layer.refund_requests import issue_approved_credits
from kinlink_visitation.service_layer.refund_requests import list_refund_requests
from kinlink_visitation.service_layer.refund_requests import request_refund
from kinlink_visitation.service_layer.visitation import Visitation

from tests.integration.visitation.money.conftest import Outside
from tests.integration.visitation.money.test_visit_money import at
from tests.integration.visitation.money.test_visit_money import family
from tests.integration.visitation.money.test_visit_money import now_of
from tests.integration.visitation.money.test_visit_money import officer
from tests.integration.visitation.money.test_visit_money import started
from tests.visitation_money import booked
from tests.visitation_money import connected

OPERATOR = Principal(str(uuid4()), frozenset({Role.OPERATOR}))
HOURS = timedelta(hours=1)


def ended(visitation: Visitation, clock: Clock, outside: Outside) -> Visit:
    """A visit connected 150 s, ended by an officer: 3 minutes charged (75 cents), the third
    given back (25)."""
    visit = started(visitation, clock, outside)
    at(clock, visit, 130)
    meter_visits(visitation)
    at(clock, visit, 150)
    end_visit_as(visitation, EndVisit(visit.visit_id, "Count"), officer())
    return now_of(visitation, visit)


def filed(
    visitation: Visitation,
    visit: Visit,
    account: UUID | None = None,
    problem: RefundProblem = RefundProblem.DROPPED,
) -> RefundRequest:
    command = RequestRefund(uuid4(), visit.visit_id, problem, "It froze.")
    return request_refund(visitation, command, family(account or visit.account_id))


def approve(request: RefundRequest, cents: int) -> DecideRefundRequest:
    return DecideRefundRequest(request.request_id, True, cents, "", "Our station froze.")


def test_a_visitor_files_a_request_for_an_ended_charged_visit_of_their_own(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)
    command = RequestRefund(uuid4(), visit.visit_id, RefundProblem.DROPPED, " It froze. ")
    request = request_refund(visitation, command, family(visit.account_id))
    assert request_refund(visitation, command, family(visit.account_id)).version == 1
    assert (request.status, request.description, request.facility_id) == (
        RefundStatus.PENDING,
        "It froze.",
        visit.facility_id,
    )
    assert request.due_by == clock.now + 72 * HOURS
    with refused(VisitNotFound, "visit_not_found"):  # someone else's visit
        filed(visitation, visit, account=uuid4())
    in_progress = started(visitation, clock, outside)
    with refused(VisitNotEnded, "visit_not_ended"):
        filed(visitation, in_progress)
    free = connected(booked(uuid4(), VisitKind.IN_FACILITY), clock.now)
    visitation.store.save(free)
    at(clock, free, 120)
    end_visit_as(visitation, EndVisit(free.visit_id, ""), family(free.account_id))
    with refused(NothingToRefund, "nothing_to_refund"):
        filed(visitation, free)


def test_an_approval_is_decided_once_credited_once_and_within_what_is_left(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)  # 75 charged, 25 given back
    first, second = filed(visitation, visit), filed(visitation, visit)
    with refused(AmountAboveRefundable, "amount_above_refundable"):
        decide_refund_request(visitation, approve(first, 51), OPERATOR)
    approved = decide_refund_request(visitation, approve(first, 40), OPERATOR)
    again = decide_refund_request(visitation, approve(first, 40), OPERATOR)
    assert (approved.status, approved.amount_cents, approved.awaiting_credit) == (
        RefundStatus.APPROVED,
        40,
        False,
    )
    assert again.version == approved.version
    with refused(RefundRequestDecided, "refund_request_decided"):
        decide_refund_request(visitation, approve(first, 10), OPERATOR)
    with refused(AmountAboveRefundable, "amount_above_refundable"):
        decide_refund_request(visitation, approve(second, 11), OPERATOR)
    decide_refund_request(visitation, approve(second, 10), OPERATOR)
    after = now_of(visitation, visit)
    assert (after.charged_cents, after.credited_cents) == (75, 75)
    assert outside.wallet.credits == {
        refund_reference(first.request_id): 40,
        refund_reference(second.request_id): 10,
    }
    # 1000 - 75 charged + 25 given back + 50 credited
    assert outside.wallet.balances[visit.account_id] == 1000


def test_a_denial_gives_its_reason_and_credits_nothing(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)
    request = filed(visitation, visit, problem=RefundProblem.AUDIO_QUALITY)
    with refused(ClientError, "reason_invalid"):
        decide_refund_request(
            visitation, DecideRefundRequest(request.request_id, False, 0, "", ""), OPERATOR
        )
    deny = DecideRefundRequest(request.request_id, False, 0, "caller_side", "Your headset.")
    denied = decide_refund_request(visitation, deny, OPERATOR)
    assert (denied.status, denied.reason, denied.note) == (
        RefundStatus.DENIED,
        DenialReason.CALLER_SIDE,
        "Your headset.",
    )
    with refused(RefundRequestDecided, "refund_request_decided"):
        decide_refund_request(visitation, approve(request, 10), OPERATOR)
    assert (now_of(visitation, visit).credited_cents, outside.wallet.credits) == (25, {})


def test_an_approval_the_ledger_did_not_answer_is_credited_once_by_the_sweep(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)
    request = filed(visitation, visit)
    outside.wallet.unreachable = True
    approved = decide_refund_request(visitation, approve(request, 50), OPERATOR)
    assert (approved.status, approved.awaiting_credit) == (RefundStatus.APPROVED, True)
    assert issue_approved_credits(visitation) == 0  # still unreachable
    outside.wallet.unreachable = False
    assert issue_approved_credits(visitation) == 1
    assert issue_approved_credits(visitation) == 0
    assert outside.wallet.credits == {refund_reference(request.request_id): 50}


def test_a_credit_the_ledger_refuses_does_not_hold_up_the_others(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)
    refused, issued = filed(visitation, visit), filed(visitation, visit)
    outside.wallet.unreachable = True
    for request in (refused, issued):
        decide_refund_request(visitation, approve(request, 20), OPERATOR)
    outside.wallet.unreachable = False
    outside.wallet.refused_credits.add(refund_reference(refused.request_id))
    assert issue_approved_credits(visitation) == 1
    assert outside.wallet.credits == {refund_reference(issued.request_id): 20}
    still = visitation.find(refused.id, RefundRequest)
    assert still is not None and still.awaiting_credit


def test_two_approvals_at_once_never_credit_more_than_was_charged(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)  # 50 left to refund
    requests = [filed(visitation, visit) for _ in range(4)]
    outcomes: list[str] = []
    ready = threading.Barrier(len(requests))

    def deciding(request: RefundRequest) -> None:
        ready.wait()
        try:
            decide_refund_request(visitation, approve(request, 50), OPERATOR)
            outcomes.append("approved")
        except ClientError as refusal:
            outcomes.append(refusal.code)

    threads = [threading.Thread(target=deciding, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["amount_above_refundable"] * 3 + ["approved"]
    assert now_of(visitation, visit).credited_cents == 75
    assert sum(outside.wallet.credits.values()) == 50


def test_operators_see_pending_requests_first_the_longest_overdue_first(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)
    oldest = filed(visitation, visit)
    clock.now += 5 * HOURS
    decided = filed(visitation, visit)
    decide_refund_request(visitation, approve(decided, 10), OPERATOR)
    clock.now += 5 * HOURS
    newest = filed(visitation, visit)
    other = ended(visitation, clock, outside)
    theirs = filed(visitation, other)

    def listed(principal: Principal, **query: object) -> list[UUID]:
        pages, token = [], ""
        while True:
            page = list_refund_requests(
                visitation,
                ListRefundRequests(page_size=1, page_token=token, **query),  # type: ignore[arg-type]
                principal,
            )
            pages += [r.request_id for r in page.rows]
            token = page.next_page_token
            if not token:
                return pages

    ids = (oldest, newest, theirs, decided)
    assert listed(OPERATOR) == [r.request_id for r in ids]
    assert listed(OPERATOR, status=RefundStatus.PENDING) == [r.request_id for r in ids[:3]]
    mine = [oldest.request_id, newest.request_id, decided.request_id]
    assert listed(family(visit.account_id)) == mine
    assert listed(OPERATOR, facility_id="FAC-NONE") == []
