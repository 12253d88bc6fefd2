"""A refund request: the visitor tells us what went wrong with an ended visit, an operator
reviews it within 72 hours and approves an amount, issued as a credit to the family's account,
or denies it with a reason (requirements "Refund Request"). Problems on the caller's side
(their internet, camera, microphone, device or browser) are not refunded.

Decided once: an approval never exceeds what the visit was charged and not yet credited. The
credit is issued by the ledger after the approval is saved; `credit_issued` records its answer,
and until then the refund sweep asks again (decision 0073).
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.visitation import RefundProblem as RefundProblem
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from kinlink_visitation.domain.ids import refund_request_key

REVIEWED_WITHIN = timedelta(hours=72)
DESCRIPTION_MAX_CHARS = 2000
NOTE_MAX_CHARS = 500


class RefundStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class DenialReason(StrEnum):
    # The caller's internet, camera, microphone, device or browser: never refunded.
    CALLER_SIDE = "caller_side"
    # The minutes lost were already given back when the call was cut short.
    ALREADY_CREDITED = "already_credited"
    NOT_OUR_FAULT_OTHER = "not_our_fault_other"


class RefundRequestNotFound(NotFound):
    """Also what a request is to a caller who may not see it."""

    def __init__(self) -> None:
        super().__init__("refund_request_not_found", "No such refund request.")


class RefundRequestIdReused(AlreadyExists):
    def __init__(self) -> None:
        super().__init__(
            "refund_request_id_reused",
            "This request id was used for another refund request: choose a new one.",
        )


class RefundRequestDecided(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "refund_request_decided", "This refund request was already decided otherwise."
        )


class AmountNotPositive(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("amount_not_positive", "An approved refund is more than $0.00.")


class AmountAboveRefundable(FailedPrecondition):
    def __init__(self, refundable_cents: int) -> None:
        super().__init__(
            "amount_above_refundable",
            f"At most {refundable_cents} cents of this visit's charges are left to refund.",
        )


class DescriptionInvalid(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "description_invalid",
            f"Describe what went wrong in 1 to {DESCRIPTION_MAX_CHARS} characters.",
        )


class NoteTooLong(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("note_too_long", f"A note is at most {NOTE_MAX_CHARS} characters.")


def review_due_by(requested_at: datetime) -> datetime:
    return requested_at + REVIEWED_WITHIN


def clean_description(description: str) -> str:
    cleaned = description.strip()
    if not 0 < len(cleaned) <= DESCRIPTION_MAX_CHARS:
        raise DescriptionInvalid()
    return cleaned


def clean_note(note: str) -> str:
    cleaned = note.strip()
    if len(cleaned) > NOTE_MAX_CHARS:
        raise NoteTooLong()
    return cleaned


class RefundRequest(Aggregate):
    # Enum values travel in events as their strings (the store's JSON).
    class Requested(Aggregate.Created):
        request_id: UUID
        visit_id: UUID
        account_id: UUID
        facility_id: str
        resident_id: str
        problem: str
        description: str
        requested_at: datetime

    class Approved(Aggregate.Event):
        amount_cents: int
        note: str
        decided_by: str
        decided_at: datetime

    class Denied(Aggregate.Event):
        reason: str
        note: str
        decided_by: str
        decided_at: datetime

    class CreditIssued(Aggregate.Event):
        issued_at: datetime

    @staticmethod
    def create_id(request_id: UUID, **_: object) -> UUID:
        return refund_request_key(request_id)

    @classmethod
    def file(
        cls,
        request_id: UUID,
        *,
        visit_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        problem: RefundProblem,
        description: str,
        at: datetime,
    ) -> RefundRequest:
        return cls(
            request_id=request_id,
            visit_id=visit_id,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            problem=problem.value,
            description=clean_description(description),
            requested_at=at,
        )

    @event(Requested)
    def __init__(
        self,
        request_id: UUID,
        visit_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        problem: str,
        description: str,
        requested_at: datetime,
    ) -> None:
        self.request_id = request_id
        self.visit_id = visit_id
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.problem = RefundProblem(problem)
        self.description = description
        self.requested_at = requested_at
        self.status = RefundStatus.PENDING
        self.amount_cents = 0
        self.reason: DenialReason | None = None
        self.note = ""
        self.decided_by = ""
        self.decided_at: datetime | None = None
        self.credit_issued_at: datetime | None = None

    @property
    def due_by(self) -> datetime:
        return review_due_by(self.requested_at)

    @property
    def awaiting_credit(self) -> bool:
        """Approved, and the ledger has not yet confirmed the credit."""
        return self.status is RefundStatus.APPROVED and self.credit_issued_at is None

    def check_same_request(
        self, visit_id: UUID, account_id: UUID, problem: RefundProblem, description: str
    ) -> None:
        asked = (visit_id, account_id, problem, description)
        if asked != (self.visit_id, self.account_id, self.problem, self.description):
            raise RefundRequestIdReused()

    def approve(
        self, amount_cents: int, refundable_cents: int, note: str, by: str, at: datetime
    ) -> None:
        """`refundable_cents`: what the visit was charged and not yet credited. The same
        approval again changes nothing (an operator's repeated click)."""
        if self.status is RefundStatus.APPROVED and self.amount_cents == amount_cents:
            return
        self._check_pending()
        if amount_cents <= 0:
            raise AmountNotPositive()
        if amount_cents > refundable_cents:
            raise AmountAboveRefundable(refundable_cents)
        self._approved(amount_cents, clean_note(note), by, at)

    @event(Approved)
    def _approved(
        self, amount_cents: int, note: str, decided_by: str, decided_at: datetime
    ) -> None:
        self.status = RefundStatus.APPROVED
        self.amount_cents = amount_cents
        self.note = note
        self.decided_by = decided_by
        self.decided_at = decided_at

    def deny(self, reason: DenialReason, note: str, by: str, at: datetime) -> None:
        """The same denial again changes nothing."""
        if self.status is RefundStatus.DENIED and self.reason is reason:
            return
        self._check_pending()
        self._denied(reason.value, clean_note(note), by, at)

    @event(Denied)
    def _denied(self, reason: str, note: str, decided_by: str, decided_at: datetime) -> None:
        self.status = RefundStatus.DENIED
        self.reason = DenialReason(reason)
        self.note = note
        self.decided_by = decided_by
        self.decided_at = decided_at

    def credit_issued(self, at: datetime) -> None:
        if self.awaiting_credit:
            self._credit_issued(at)

    @event(CreditIssued)
    def _credit_issued(self, issued_at: datetime) -> None:
        self.credit_issued_at = issued_at

    def _check_pending(self) -> None:
        if self.status is not RefundStatus.PENDING:
            raise RefundRequestDecided()
