"""ChargeOrder: charge a family's card for a commissary order, once per order, each attempt
answered once.

The commissary numbers its attempts: the same (order, attempt) asked again gets its answer (a
different amount or card is `order_charge_reused`), an order captured once gets that capture for
any later attempt, and a new attempt after a decline is a new payment. Like a deposit, an attempt
is recorded (pending) before the processor is asked, and its payment's reference before it is
confirmed: an attempt left pending (a crash, a lost answer, a charge still processing) is
finished by asking again with the same attempt, or by the payment sweep, through that payment.
An unanswered processor is no refusal: the attempt stays PENDING and the answer says so
(decisions 0053-0055).

Cards are refused as for allowances (not the family member's own, prepaid, a brand the facility
does not take), and no payer is there for a 3-D Secure challenge: such a card is declined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.logging import get_logger

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.order_charge import Attempt
from kinlink_ledger.domain.order_charge import AttemptStatus
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.domain.order_charge import OrderChargeNotFound
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.service_layer.account_cards import check_own_card
from kinlink_ledger.service_layer.confirm_deposit import card_refusal
from kinlink_ledger.service_layer.ledger import Ledger

log = get_logger(__name__)


@dataclass(frozen=True)
class ChargeOrder:
    order_id: UUID  # the commissary's
    attempt: int
    account_id: UUID  # the family member whose card is charged
    facility_id: str
    resident_id: str
    amount: Cents
    payment_method: str


@dataclass(frozen=True)
class OrderChargeAnswer:
    """The order's charge and the attempt the answer is about."""

    charge: OrderCharge
    attempt: Attempt


def charge_order(ledger: Ledger, command: ChargeOrder) -> OrderChargeAnswer:
    _check(command)
    charge = ledger.find(OrderCharge.create_id(command.order_id), OrderCharge)
    answered = None if charge is None else _answered(charge, command)
    if charge is None or answered is None:
        refusal = _card_refusal(ledger, command)

        def begin(charge: OrderCharge) -> int:
            # Read again on a collision: the winner may be this very attempt, or the capture.
            answered = _answered(charge, command)
            if answered is not None:
                return answered
            now = ledger.clock()
            charge.begin(command.attempt, command.amount, command.payment_method, now)
            if refusal is not None:
                charge.decline(command.attempt, refusal, now)
            return command.attempt

        answered, charge = ledger.change(
            OrderCharge.create_id(command.order_id),
            OrderCharge,
            lambda charge: (begin(charge), charge),
            create=lambda: OrderCharge(
                command.order_id, command.account_id, command.facility_id, command.resident_id
            ),
        )
    return finish_attempt(ledger, charge, answered)


def _check(command: ChargeOrder) -> None:
    # A facility that is missing is as unknown as a wrong one; a card as for deposits.
    if command.attempt < 1:
        raise InvalidArgument("attempt_not_positive", "Attempts are numbered from 1.")
    if not command.resident_id.strip():
        raise InvalidArgument("resident_id_missing", "Whose order? A resident id is required.")
    if command.amount <= 0:
        raise InvalidArgument("amount_not_positive", "The amount must be more than $0.00.")
    if not command.payment_method.strip():
        raise InvalidArgument("payment_method_missing", "A payment method is required.")


def _answered(charge: OrderCharge, command: ChargeOrder) -> int | None:
    """The attempt that answers the command, if one does: the same attempt asked again, or the
    order's capture. None: the command is a new attempt."""
    if not charge.same_order(command.account_id, command.facility_id, command.resident_id):
        raise _reused()
    asked = charge.attempts.get(command.attempt)
    if asked is not None:
        if (asked.amount, asked.payment_method) != (command.amount, command.payment_method):
            raise _reused()
        return asked.number
    return charge.captured_attempt


def _reused() -> AlreadyExists:
    return AlreadyExists(
        "order_charge_reused",
        "This order and attempt were already charged with another amount, card or resident.",
    )


def _card_refusal(ledger: Ledger, command: ChargeOrder) -> DeclineReason | None:
    check_own_card(ledger, str(command.account_id), command.payment_method)
    return card_refusal(ledger, ledger.facilities.get(command.facility_id), command.payment_method)


def finish_attempt(ledger: Ledger, charge: OrderCharge, number: int) -> OrderChargeAnswer:
    """Charge a pending attempt through its recorded payment and record the answer; a settled
    attempt is answered as it is, and one the processor did not answer, or is still processing,
    as pending (asking again, or the payment sweep, finishes it)."""
    attempt = charge.attempts[number]
    if attempt.status is not AttemptStatus.PENDING:
        return OrderChargeAnswer(charge, attempt)
    try:
        if attempt.payment_reference is None:
            charge = _start_payment(ledger, charge, attempt)
            attempt = charge.attempts[number]
            if attempt.status is not AttemptStatus.PENDING:
                return OrderChargeAnswer(charge, attempt)
        assert attempt.payment_reference is not None
        outcome = ledger.payments.confirm(attempt.payment_reference, payer_present=False)
    except PaymentUnavailable:
        log.warning("the processor did not answer an order's charge", order_id=str(charge.order_id))
        return OrderChargeAnswer(charge, attempt)
    except PaymentRefused as refused:
        log.warning(
            "the processor refused an order's charge",
            order_id=str(charge.order_id),
            error=str(refused),
        )
        outcome = ChargeOutcome(None, DeclineReason.PAYMENT_REFUSED)
    if outcome.processing:
        return OrderChargeAnswer(charge, attempt)

    def record(charge: OrderCharge) -> None:
        now = ledger.clock()
        if outcome.captured:
            assert outcome.reference is not None
            charge.capture(number, outcome.reference, now)
        else:
            # No payer is there to answer a challenge: the processor declines instead.
            charge.decline(number, outcome.decline_reason or DeclineReason.CARD_DECLINED, now)

    charge = _change(ledger, charge.order_id, record)
    return OrderChargeAnswer(charge, charge.attempts[number])


def _start_payment(ledger: Ledger, charge: OrderCharge, attempt: Attempt) -> OrderCharge:
    """Start the processor's payment and record its reference, unless someone recorded one (or
    settled the attempt) meanwhile: only the recorded payment is ever confirmed."""
    reference = ledger.payments.start(
        ChargeRequest(
            idempotency_key=charge.payment_key(attempt.number),
            amount=attempt.amount,
            payment_method=attempt.payment_method,
            description=f"Commissary order for resident {charge.resident_id}",
            metadata={"order_id": str(charge.order_id), "facility_id": charge.facility_id},
        )
    )
    return _change(ledger, charge.order_id, lambda c: c.payment_started(attempt.number, reference))


def _change(ledger: Ledger, order_id: UUID, fn: Callable[[OrderCharge], None]) -> OrderCharge:
    def changed(charge: OrderCharge) -> OrderCharge:
        fn(charge)
        return charge

    return ledger.change(
        OrderCharge.create_id(order_id), OrderCharge, changed, missing=OrderChargeNotFound
    )


def get_order_charge(ledger: Ledger, order_id: str) -> OrderChargeAnswer:
    """The order's capture, or its last attempt as it stands."""
    charge = ledger.find(OrderCharge.create_id(parse_id(order_id, "order_id")), OrderCharge)
    if charge is None or charge.last is None:
        raise OrderChargeNotFound()
    return OrderChargeAnswer(charge, charge.last)
