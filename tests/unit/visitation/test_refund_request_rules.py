"""A refund request's rules without a store: due 72 hours after it is filed; decided once (the
same decision again changes nothing, another is refused); an approval is more than nothing and
at most what is left to refund; the credit is issued once, only for an approval; a request id
reused for another request is refused."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_kit.errors import ClientError
from kinlink_kit.testing import refused
from kinlink_visitation.domain.refund_request import AmountAboveRefundable
from kinlink_visitation.domain.refund_request import AmountNotPositive
from kinlink_visitation.domain.refund_request import DenialReason
from kinlink_visitation.domain.refund_request import DescriptionInvalid
from kinlink_visitation.domain.refund_request import RefundProblem
from kinlink_visitation.domain.refund_request import RefundRequest
from kinlink_visitation.domain.refund_request import RefundRequestDecided
from kinlink_visitation.domain.refund_request import RefundRequestIdReused
from kinlink_visitation.domain.refund_request import RefundStatus
from kinlink_visitation.domain.refund_request import clean_description

NOW = datetime(2026, 11, 25, 18, tzinfo=UTC)
LATER = NOW + timedelta(hours=5)


def filed() -> RefundRequest:
    return RefundRequest(
        request_id=uuid4(),
        visit_id=uuid4(),
        account_id=uuid4(),
        facility_id="FAC-1",
        resident_id="R-1",
        problem=RefundProblem.DROPPED,
        description="The call dropped twice.",
        requested_at=NOW,
    )


def test_it_is_due_72_hours_after_it_was_filed_and_waits_pending() -> None:
    request = filed()
    assert (request.status, request.due_by) == (RefundStatus.PENDING, NOW + timedelta(hours=72))
    assert not request.awaiting_credit


def test_an_approval_is_decided_once_and_its_credit_issued_once() -> None:
    request = filed()
    request.approve(75, 100, " Station camera failed. ", "op-1", LATER)
    request.approve(75, 0, "clicked twice", "op-2", LATER)  # the same approval: nothing new
    assert (request.status, request.amount_cents, request.note) == (
        RefundStatus.APPROVED,
        75,
        "Station camera failed.",
    )
    assert (request.decided_by, request.decided_at, request.awaiting_credit) == (
        "op-1",
        LATER,
        True,
    )
    with refused(RefundRequestDecided, "refund_request_decided"):
        request.approve(50, 100, "", "op-1", LATER)
    with refused(RefundRequestDecided, "refund_request_decided"):
        request.deny(DenialReason.CALLER_SIDE, "", "op-1", LATER)
    request.credit_issued(LATER)
    request.credit_issued(LATER + timedelta(minutes=1))
    assert (request.awaiting_credit, request.credit_issued_at) == (False, LATER)
    assert len(request.collect_events()) == 3  # requested, approved, credit issued


def test_a_denial_is_decided_once_and_issues_nothing() -> None:
    request = filed()
    request.deny(DenialReason.CALLER_SIDE, "Their microphone.", "op-1", LATER)
    request.deny(DenialReason.CALLER_SIDE, "again", "op-1", LATER)
    assert (request.status, request.reason, request.note) == (
        RefundStatus.DENIED,
        DenialReason.CALLER_SIDE,
        "Their microphone.",
    )
    with refused(RefundRequestDecided, "refund_request_decided"):
        request.deny(DenialReason.NOT_OUR_FAULT_OTHER, "", "op-1", LATER)
    with refused(RefundRequestDecided, "refund_request_decided"):
        request.approve(25, 100, "", "op-1", LATER)
    request.credit_issued(LATER)
    assert request.credit_issued_at is None


@pytest.mark.parametrize(
    ("amount", "refundable", "error", "code"),
    [
        (0, 100, AmountNotPositive, "amount_not_positive"),
        (-25, 100, AmountNotPositive, "amount_not_positive"),
        (101, 100, AmountAboveRefundable, "amount_above_refundable"),
        (25, 0, AmountAboveRefundable, "amount_above_refundable"),
    ],
)
def test_an_approval_is_more_than_nothing_and_at_most_what_is_left_to_refund(
    amount: int, refundable: int, error: type[ClientError], code: str
) -> None:
    request = filed()
    with refused(error, code):
        request.approve(amount, refundable, "", "op-1", LATER)
    assert request.status is RefundStatus.PENDING
    request.approve(refundable or 1, refundable or 1, "", "op-1", LATER)  # the bound itself is fine
    assert request.status is RefundStatus.APPROVED


def test_a_request_id_names_one_request() -> None:
    request = filed()
    same = (request.visit_id, request.account_id, request.problem, request.description)
    request.check_same_request(*same)
    with refused(RefundRequestIdReused, "refund_request_id_reused"):
        request.check_same_request(uuid4(), *same[1:])
    with refused(RefundRequestIdReused, "refund_request_id_reused"):
        request.check_same_request(*same[:2], RefundProblem.OTHER, same[3])


@pytest.mark.parametrize("description", ["", "   ", "x" * 2001])
def test_a_description_says_something_in_at_most_2000_characters(description: str) -> None:
    with refused(DescriptionInvalid, "description_invalid"):
        clean_description(description)
    assert clean_description(" x" * 1000) == ("x " * 999 + "x")
