"""Refund requests (requirements "Refund Request"): the visitor files one for an ended visit
that was charged; operators list them (pending first, the longest overdue first) and decide
each once. An approval is saved with its credit on the visit in one transaction, so approvals
never add up to more than the visit was charged less what was already given back; then the
ledger issues it as a credit to the family's account, once per request (`refund:<request
id>`). The ledger unreachable leaves the credit to the refund sweep (decision 0073).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import VIDEO_REFUND_REQUESTS
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_visitation.domain.refund_request import DenialReason
from kinlink_visitation.domain.refund_request import RefundProblem
from kinlink_visitation.domain.refund_request import RefundRequest
from kinlink_visitation.domain.refund_request import RefundRequestNotFound
from kinlink_visitation.domain.refund_request import RefundStatus
from kinlink_visitation.domain.refund_request import clean_description
from kinlink_visitation.domain.visit import CreditReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.wallet import WalletUnavailable
from kinlink_visitation.domain.wallet import refund_reference
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)
CREDIT_REASON = "Video visit refund request approved"


class VisitNotEnded(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("visit_not_ended", "A refund can be requested once the visit has ended.")


class NothingToRefund(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "nothing_to_refund",
            "Nothing is left to refund: this visit was not charged, or all of it was credited.",
        )


class DenialReasonMissing(InvalidArgument):
    def __init__(self) -> None:
        reasons = ", ".join(reason.value for reason in DenialReason)
        super().__init__("reason_invalid", f"A denial gives its reason: one of {reasons}.")


@dataclass(frozen=True)
class RequestRefund:
    request_id: UUID
    visit_id: UUID
    problem: RefundProblem
    description: str


@dataclass(frozen=True)
class DecideRefundRequest:
    request_id: UUID
    approve: bool
    amount_cents: int  # when approved
    reason: str  # when denied: a DenialReason
    note: str


def request_refund(
    visitation: Visitation, command: RequestRefund, principal: Principal
) -> RefundRequest:
    description = clean_description(command.description)
    visit = visitation.require(Visit.create_id(command.visit_id), Visit, VisitNotFound)
    if str(visit.account_id) != principal.account_id:
        raise VisitNotFound()

    def requesting() -> RefundRequest:
        if visit.status is not VisitStatus.ENDED:
            raise VisitNotEnded()
        if visit.charged_cents - visit.credited_cents <= 0:
            raise NothingToRefund()
        return RefundRequest.file(
            command.request_id,
            visit_id=visit.visit_id,
            account_id=visit.account_id,
            facility_id=visit.facility_id,
            resident_id=visit.resident_id,
            problem=command.problem,
            description=description,
            at=visitation.clock(),
        )

    def same(request: RefundRequest) -> RefundRequest:
        request.check_same_request(visit.visit_id, visit.account_id, command.problem, description)
        return request

    request = visitation.change(
        RefundRequest.create_id(command.request_id),
        RefundRequest,
        same,
        create=requesting,
    )
    VIDEO_REFUND_REQUESTS.labels("requested").inc()
    return request


@dataclass(frozen=True)
class ListRefundRequests:
    facility_id: str = ""
    status: RefundStatus | None = None
    page_size: int = 20
    page_token: str = ""


def list_refund_requests(
    visitation: Visitation, query: ListRefundRequests, principal: Principal
) -> Page[RefundRequest]:
    """Operators see every request, a family member their own: pending first, the one due
    soonest first."""
    page_size = checked_page_size(query.page_size)
    after = sort_key_of(query.page_token, (int, str, str))
    account = None if principal.has(Role.OPERATOR) else UUID(principal.account_id)
    listed = visitation.views.refund_requests.listed(
        account,
        query.facility_id,
        query.status,
        page_size + 1,
        (after[0], after[1], after[2]) if after else None,
    )
    page = page_of(listed, page_size, lambda row: row[0])
    requests = [visitation.find(key, RefundRequest) for _, key in page.rows]
    return Page([r for r in requests if r is not None], page.next_page_token)


def get_refund_request(
    visitation: Visitation, request_id: UUID, principal: Principal
) -> RefundRequest:
    """Operators see every request, a family member their own."""
    request = visitation.require(
        RefundRequest.create_id(request_id), RefundRequest, RefundRequestNotFound
    )
    if not principal.has(Role.OPERATOR) and str(request.account_id) != principal.account_id:
        raise RefundRequestNotFound()
    return request


def decide_refund_request(
    visitation: Visitation, command: DecideRefundRequest, principal: Principal
) -> RefundRequest:
    key = RefundRequest.create_id(command.request_id)
    now = visitation.clock()
    if not command.approve:
        reason = _denial_reason(command.reason)

        def denying(request: RefundRequest) -> RefundRequest:
            request.deny(reason, command.note, principal.account_id, now)
            return request

        denied = visitation.change(key, RefundRequest, denying, missing=RefundRequestNotFound)
        VIDEO_REFUND_REQUESTS.labels("denied").inc()
        return denied

    def approving() -> RefundRequest:
        request = visitation.require(key, RefundRequest, RefundRequestNotFound)
        visit = visitation.require(Visit.create_id(request.visit_id), Visit, VisitNotFound)
        refundable = visit.charged_cents - visit.credited_cents
        request.approve(command.amount_cents, refundable, command.note, principal.account_id, now)
        visit.credited(
            request.amount_cents,
            CreditReason.REFUND_APPROVED,
            refund_reference(request.request_id),
        )
        visitation.store.save(request, visit)
        return request

    approved = visitation.retrying(approving)
    VIDEO_REFUND_REQUESTS.labels("approved").inc()
    return issue_credit(visitation, approved)


def issue_credit(visitation: Visitation, request: RefundRequest) -> RefundRequest:
    """The approved amount credited to the family's account, once; the ledger unreachable,
    the request waits for the refund sweep."""
    if not request.awaiting_credit:
        return request
    try:
        visitation.wallet.grant_credit(
            request.account_id,
            request.facility_id,
            request.amount_cents,
            CREDIT_REASON,
            refund_reference(request.request_id),
        )
    except WalletUnavailable:
        log.warning(
            "the wallet cannot be reached; the refund sweep issues the credit",
            request_id=str(request.request_id),
        )
        return request

    def issued(request: RefundRequest) -> RefundRequest:
        request.credit_issued(visitation.clock())
        return request

    issued_request = visitation.change(
        request.id, RefundRequest, issued, missing=RefundRequestNotFound
    )
    VIDEO_REFUND_REQUESTS.labels("credit_issued").inc()
    return issued_request


def issue_approved_credits(visitation: Visitation) -> int:
    """The refund sweep: credits approved and not yet confirmed by the ledger. How many."""
    issued = 0
    for key in visitation.views.refund_requests.awaiting_credit():
        request = visitation.find(key, RefundRequest)
        # The view may lag behind the store.
        if request is None or not request.awaiting_credit:
            continue
        try:
            still_awaiting = issue_credit(visitation, request).awaiting_credit
        except Exception:
            # One credit the ledger refuses must not keep the sweep from the others.
            log.exception("refund credit not issued; the next sweep tries again", key=str(key))
            continue
        if still_awaiting:
            break  # the wallet cannot be reached: the next sweep
        issued += 1
    return issued


def _denial_reason(raw: str) -> DenialReason:
    try:
        return DenialReason(raw)
    except ValueError:
        raise DenialReasonMissing() from None
