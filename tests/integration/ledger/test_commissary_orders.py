"""Commissary orders charged through the ledger (requirements "Commissary Pack Refunds": all sales
are final): each (order, attempt) answered once, an order captured at most once whatever the
attempts, a crash between the processor's answer and its record finished by the payment sweep,
attempts at once, the journal, the receipt, the resident's charge history, the events and the
audit replay. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.ledger import CommissaryOrderCharged
from kinlink_contracts.ledger import CommissaryOrderChargeDeclined
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.adapters.resident_transactions_view import TransactionKind
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.order_charge import AttemptStatus
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.domain.receipt import ReceiptKind
from kinlink_ledger.service_layer.charge_order import ChargeOrder
from kinlink_ledger.service_layer.charge_order import OrderChargeAnswer
from kinlink_ledger.service_layer.charge_order import charge_order
from kinlink_ledger.service_layer.charge_order import get_order_charge
from kinlink_ledger.service_layer.finish_payments import finish_payments_in_flight
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.receipts import get_receipt
from kinlink_ledger.service_layer.resident_transactions import list_resident_transactions
from prometheus_client import REGISTRY

from tests.integration.ledger.test_audit import run_replay
from tests.integration.ledger.test_audit import stream
from tests.integration.ledger.test_integration_events import published
from tests.ledger_facilities import D1
from tests.ledger_facilities import D2
from tests.ledger_facilities import depositor

FAC = "FAC-DEMO"
RESIDENT = "R-1001"
SETTLED_AFTER = timedelta(minutes=15)
REVENUE = journal.service_revenue(FAC, "commissary")


def command(
    order_id: UUID,
    attempt: int = 1,
    amount: int = 2500,
    card: str = "pm_card_visa",
    **changes: object,
) -> ChargeOrder:
    fields: dict[str, object] = {
        "order_id": order_id,
        "attempt": attempt,
        "account_id": UUID(D1),
        "facility_id": FAC,
        "resident_id": RESIDENT,
        "amount": Cents(amount),
        "payment_method": card,
    }
    return ChargeOrder(**{**fields, **changes})  # type: ignore[arg-type]


def charge(
    ledger: Ledger, order_id: UUID, attempt: int = 1, **changes: object
) -> OrderChargeAnswer:
    return charge_order(ledger, command(order_id, attempt, **changes))


def charged(payments: SimulatedProcessor, order_id: UUID) -> list[int]:
    """What the cards were charged for the order, payment by payment."""
    return payments.charges(order_id=str(order_id))


def assert_booked_once(ledger: Ledger, payments: SimulatedProcessor, amount: int) -> None:
    """The processor's captures and the journal agree, and the journal balances."""
    assert payments.captured_total == amount
    assert ledger.views.journal.balance(journal.CARD_CLEARING) == amount
    assert ledger.views.journal.balance(REVENUE) == -amount
    assert sum(b.balance for b in ledger.views.journal.balances()) == 0


def test_an_order_is_charged_captured_at_once_and_booked_with_its_receipt(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    order_id = uuid4()
    answer = charge(ledger, order_id)
    assert (answer.attempt.number, answer.attempt.status) == (1, AttemptStatus.CAPTURED)
    assert answer.attempt.charged_at == clock.now
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)

    receipt = get_receipt(ledger, answer.charge.receipt_number, Principal(D1, frozenset()))
    assert (receipt.kind, receipt.total, receipt.resident_id) == (
        ReceiptKind.COMMISSARY_ORDER,
        2500,
        RESIDENT,
    )
    assert receipt.payment_reference == answer.attempt.payment_reference
    officer = Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({FAC}))
    assert get_receipt(ledger, receipt.receipt_number, officer) == receipt
    with refused(NotFound, "receipt_not_found"):
        get_receipt(ledger, receipt.receipt_number, Principal(D2, frozenset()))


def test_the_same_attempt_asked_again_is_answered_and_charged_once(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    order_id = uuid4()
    first = charge(ledger, order_id)
    again = charge(ledger, order_id)
    assert again.charge.version == first.charge.version, "nothing new was recorded"
    assert again.attempt == first.attempt
    assert charged(payments, order_id) == [2500]
    for changes in ({"amount": 2600}, {"card": "pm_card_mastercard"}, {"resident_id": "R-1002"}):
        with refused(AlreadyExists, "order_charge_reused"):
            charge(ledger, order_id, **changes)
    assert_booked_once(ledger, payments, 2500)


def test_a_captured_order_answers_any_later_attempt_with_its_capture_and_never_charges_again(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    order_id = uuid4()
    first = charge(ledger, order_id)
    for attempt in (2, 3, 7):
        later = charge(ledger, order_id, attempt, amount=9999, card="pm_card_mastercard")
        assert (later.attempt.number, later.attempt.status) == (1, AttemptStatus.CAPTURED)
    assert ledger.find(first.charge.id, OrderCharge).version == first.charge.version  # type: ignore[union-attr]
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


def test_a_declined_attempt_then_a_new_one_with_another_card_is_captured(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    order_id = uuid4()
    declined = charge(ledger, order_id, 1, card="pm_card_chargeDeclinedInsufficientFunds")
    assert (declined.attempt.status, declined.attempt.decline_reason) == (
        AttemptStatus.DECLINED,
        DeclineReason.INSUFFICIENT_FUNDS,
    )
    # Asked again, the declined attempt keeps its answer: a new payment needs a new attempt.
    again = charge(ledger, order_id, 1, card="pm_card_chargeDeclinedInsufficientFunds")
    assert again.attempt.status is AttemptStatus.DECLINED
    assert get_order_charge(ledger, str(order_id)).attempt.status is AttemptStatus.DECLINED

    paid = charge(ledger, order_id, 2, card="pm_card_visa")
    assert (paid.attempt.number, paid.attempt.status) == (2, AttemptStatus.CAPTURED)
    assert get_order_charge(ledger, str(order_id)).attempt.number == 2
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)
    assert paid.charge.receipt_number == OrderCharge.receipt_number_of(paid.charge.id)


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        ("pm_card_chargeDeclined", DeclineReason.CARD_DECLINED),
        # No payer is there for the issuer's challenge: declined, never waiting for one.
        ("pm_card_authenticationRequired", DeclineReason.PAYER_AUTHENTICATION_FAILED),
        ("pm_card_threeDSecure2Required", DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE),
        ("pm_card_threeDSecureRequired", DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE),
        # Refused before the processor is asked to charge anything.
        ("pm_card_mastercard_prepaid", DeclineReason.PREPAID_NOT_SUPPORTED),
        ("pm_card_amex", DeclineReason.CARD_BRAND_NOT_ACCEPTED),
    ],
)
def test_refused_and_declined_cards_charge_nothing_and_book_nothing(
    ledger: Ledger, payments: SimulatedProcessor, card: str, reason: DeclineReason
) -> None:
    order_id = uuid4()
    answer = charge(ledger, order_id, card=card)
    assert (answer.attempt.status, answer.attempt.decline_reason) == (
        AttemptStatus.DECLINED,
        reason,
    )
    assert answer.attempt.charged_at is not None
    assert payments.captured_total == 0
    assert ledger.views.journal.balances() == []
    assert ledger.views.payments_in_flight.in_flight() == []


@pytest.mark.parametrize(
    ("changes", "kind", "code"),
    [
        ({"attempt": 0}, InvalidArgument, "attempt_not_positive"),
        ({"amount": Cents(0)}, InvalidArgument, "amount_not_positive"),
        ({"resident_id": " "}, InvalidArgument, "resident_id_missing"),
        ({"payment_method": ""}, InvalidArgument, "payment_method_missing"),
        # Not a card the family member added in identity.
        ({"payment_method": "pm_nope"}, NotFound, "payment_method_not_found"),
        # A card the payer never added (another family member added it).
        ({"account_id": UUID(depositor("stranger"))}, NotFound, "payment_method_not_found"),
        ({"facility_id": "FAC-NOWHERE"}, NotFound, "facility_not_found"),
    ],
)
def test_bad_requests_are_refused_and_record_nothing(
    ledger: Ledger,
    payments: SimulatedProcessor,
    changes: dict[str, object],
    kind: type[ClientError],
    code: str,
) -> None:
    """Refused with a code and no request field: the entrypoint names the field
    (test_commissary_orders_grpc)."""
    order_id = uuid4()
    bad = command(order_id, **changes)
    with refused(kind, code):
        charge_order(ledger, bad)
    assert ledger.find(OrderCharge.create_id(order_id), OrderCharge) is None
    assert payments.captured_total == 0
    with refused(NotFound, "order_charge_not_found"):
        get_order_charge(ledger, str(order_id))


def sweep(ledger: Ledger) -> int:
    return finish_payments_in_flight(ledger, SETTLED_AFTER)


def in_flight_gauge() -> float | None:
    return REGISTRY.get_sample_value("kinlink_payments_in_flight", {"kind": "commissary_order"})


def test_a_charge_whose_answer_was_lost_stays_pending_and_the_sweep_captures_it_once(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    order_id = uuid4()
    payments.lose_next_answers()  # the card is charged; the answer never arrives
    pending = charge(ledger, order_id)
    assert pending.attempt.status is AttemptStatus.PENDING
    assert pending.attempt.payment_reference is not None
    assert charged(payments, order_id) == [2500]
    assert payments.captured_total == 2500 and ledger.views.journal.balances() == []
    assert sweep(ledger) == 0  # a request may still be handling it
    assert in_flight_gauge() == 1
    # Another attempt is refused while this one may still capture: never two payments at once.
    with refused(ClientError, "charge_in_progress"):
        charge(ledger, order_id, 2)

    clock.now += timedelta(hours=25)  # the processor forgot the attempt's idempotency key
    assert sweep(ledger) == 1
    finished = get_order_charge(ledger, str(order_id))
    assert (finished.attempt.number, finished.attempt.status) == (1, AttemptStatus.CAPTURED)
    assert sweep(ledger) == 0
    assert in_flight_gauge() == 0
    assert charge(ledger, order_id, 2).attempt.number == 1
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


def test_an_unreachable_processor_leaves_the_attempt_pending_and_asking_again_pays_once(
    ledger: Ledger, clock: Clock
) -> None:
    class Unreachable(SimulatedProcessor):
        """Not reachable for the first payment asked of it."""

        down = 1

        def start(self, request: ChargeRequest) -> str:
            if self.down:
                self.down -= 1
                raise PaymentUnavailable("connection refused")
            return super().start(request)

    payments = Unreachable(clock=clock)
    ledger.payments = payments
    order_id = uuid4()
    pending = charge(ledger, order_id)
    assert (pending.attempt.status, pending.attempt.payment_reference) == (
        AttemptStatus.PENDING,
        None,
    )
    assert charge(ledger, order_id).attempt.status is AttemptStatus.CAPTURED
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


def test_a_crash_between_the_processors_answer_and_its_record_is_finished_by_the_sweep(
    ledger: Ledger, clock: Clock
) -> None:
    class Crashing(SimulatedProcessor):
        """Charges the card and answers; the process dies before the answer is recorded."""

        crashes = 1

        def confirm(self, reference: str, *, payer_present: bool) -> ChargeOutcome:
            outcome = super().confirm(reference, payer_present=payer_present)
            if self.crashes:
                self.crashes -= 1
                raise SystemExit("killed")
            return outcome

    payments = Crashing(clock=clock)
    ledger.payments = payments
    order_id = uuid4()
    with pytest.raises(SystemExit):
        charge(ledger, order_id)
    assert get_order_charge(ledger, str(order_id)).attempt.status is AttemptStatus.PENDING
    assert charged(payments, order_id) == [2500]

    clock.now += SETTLED_AFTER
    assert sweep(ledger) == 1
    assert get_order_charge(ledger, str(order_id)).attempt.status is AttemptStatus.CAPTURED
    assert charge(ledger, order_id).attempt.status is AttemptStatus.CAPTURED
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


def test_a_charge_still_processing_waits_and_a_failure_lets_a_new_attempt_pay(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    order_id = uuid4()
    payments.settle_later("pm_card_visa_debit")
    slow = charge(ledger, order_id, card="pm_card_visa_debit")
    assert slow.attempt.status is AttemptStatus.PENDING
    clock.now += SETTLED_AFTER
    assert sweep(ledger) == 0, "still processing: the next sweep asks again"
    assert slow.attempt.payment_reference is not None
    payments.settle(slow.attempt.payment_reference, DeclineReason.INSUFFICIENT_FUNDS)
    assert sweep(ledger) == 1
    assert charge(ledger, order_id, card="pm_card_visa_debit").attempt.decline_reason == (
        DeclineReason.INSUFFICIENT_FUNDS
    )
    assert charge(ledger, order_id, 2).attempt.status is AttemptStatus.CAPTURED
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


class Gate(SimulatedProcessor):
    """Charges wait at the gate until `open`: requests meet while an attempt is in flight."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock=clock)
        self.reached = threading.Event()
        self.gate = threading.Event()

    def confirm(self, reference: str, *, payer_present: bool) -> ChargeOutcome:
        self.reached.set()
        assert self.gate.wait(timeout=30)
        return super().confirm(reference, payer_present=payer_present)


def test_two_attempts_at_once_capture_once_and_the_other_is_told_to_ask_again(
    ledger: Ledger, clock: Clock
) -> None:
    payments = Gate(clock)
    ledger.payments = payments
    order_id = uuid4()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(charge, ledger, order_id, 1)
        assert payments.reached.wait(timeout=30)
        with refused(ClientError, "charge_in_progress"):
            charge(ledger, order_id, 2, card="pm_card_mastercard")
        payments.gate.set()
        assert first.result().attempt.status is AttemptStatus.CAPTURED
    assert charge(ledger, order_id, 2, card="pm_card_mastercard").attempt.number == 1
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


def test_many_attempts_racing_on_one_order_capture_it_exactly_once(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    """Attempts 1..6 and repeats of each, all at once: whichever wins, one capture."""
    order_id = uuid4()
    start = threading.Barrier(12)

    def attempt(number: int) -> OrderChargeAnswer | str:
        start.wait(timeout=30)
        try:
            return charge(ledger, order_id, number)
        except ClientError as refusal:
            return refusal.code

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(attempt, [n for n in range(1, 7) for _ in (0, 1)]))
    refusals = {answer for answer in answers if isinstance(answer, str)}
    assert refusals <= {"charge_in_progress"}
    captured = {
        a.attempt.number
        for a in answers
        if not isinstance(a, str) and a.attempt.status is AttemptStatus.CAPTURED
    }
    assert len(captured) == 1
    [winner] = captured
    assert get_order_charge(ledger, str(order_id)).attempt.number == winner
    assert charged(payments, order_id) == [2500]
    assert_booked_once(ledger, payments, 2500)


def test_orders_publish_their_charges_and_declines_keyed_by_resident(ledger: Ledger) -> None:
    order_id = uuid4()
    charge(ledger, order_id, 1, card="pm_card_chargeDeclined")
    paid = charge(ledger, order_id, 2)
    envelopes = published(ledger, LedgerEventTranslator(ledger.store))
    assert [(e.type, e.key) for e in envelopes] == [
        ("CommissaryOrderChargeDeclined", RESIDENT),
        ("CommissaryOrderCharged", RESIDENT),
    ]
    declined = CommissaryOrderChargeDeclined.model_validate(envelopes[0].payload)
    assert (declined.order_id, declined.attempt, declined.reason, declined.amount_cents) == (
        order_id,
        1,
        DeclineReason.CARD_DECLINED,
        2500,
    )
    captured = CommissaryOrderCharged.model_validate(envelopes[1].payload)
    assert (captured.attempt, captured.account_id, captured.facility_id) == (2, UUID(D1), FAC)
    assert captured.receipt_number == paid.charge.receipt_number
    assert captured.payment_reference == paid.attempt.payment_reference


def test_replaying_the_stream_reproduces_the_orders_receipts_journal_and_payments_in_flight(
    ledger: Ledger, payments: SimulatedProcessor, tmp_path: Path
) -> None:
    declined_then_paid, in_flight = uuid4(), uuid4()
    charge(ledger, declined_then_paid, 1, card="pm_card_chargeDeclined")
    paid = charge(ledger, declined_then_paid, 2)
    payments.lose_next_answers()
    charge(ledger, in_flight, amount=1300)
    for projection in ledger.views.projections:
        projection.catch_up()
    assert [row["kind"] for row in ledger.views.payments_in_flight.in_flight()] == [
        "commissary_order"
    ]
    assert ledger.views.receipts.find(paid.charge.receipt_number) is not None

    report = run_replay(ledger, stream(ledger), tmp_path)
    assert report.differences == [] and report.ok
    assert report.events == len(stream(ledger))


def test_a_paid_pack_is_in_the_residents_charge_history_once_and_a_declined_one_is_not(
    ledger: Ledger, clock: Clock
) -> None:
    """Requirements "Deposit and Charge History": what the card was charged, with its receipt,
    for the family member who paid and the facility's officers; not for another family."""
    declined_only, paid_later = uuid4(), uuid4()
    charge(ledger, declined_only, card="pm_card_chargeDeclined")
    charge(ledger, paid_later, 1, card="pm_card_chargeDeclined")
    clock.now += timedelta(hours=1)
    paid = charge(ledger, paid_later, 2, amount=2500)
    charge(ledger, paid_later, 3)  # the capture again: nothing new

    family = Principal(D1, frozenset({Role.FAMILY_MEMBER}))
    officer = Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({FAC}))
    for viewer in (family, officer):
        [listed] = list_resident_transactions(ledger, viewer, FAC, RESIDENT)
        assert (listed.kind, listed.transaction_id, listed.account_id) == (
            TransactionKind.COMMISSARY_PACK,
            str(paid_later),
            D1,
        )
        assert (listed.amount, listed.fee, listed.status) == (2500, 0, "captured")
        assert (listed.receipt_number, listed.occurred_at) == (
            paid.charge.receipt_number,
            clock.now,
        )
    other_family = Principal(D2, frozenset({Role.FAMILY_MEMBER}))
    assert list_resident_transactions(ledger, other_family, FAC, RESIDENT) == []
