"""Commissary allowances (requirements "What is a Commissary Allowance"): a hold on the family's
card, the resident's orders counted against it once each, and only what was used captured when it
ends, the rest released; nothing stays held, the journal's hold accounts go back to zero, and a
processor failing mid-way is finished by a retry without charging twice. On SQLite and on the real
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.commissary import AllowanceEnded
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import DeclineReason
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.service_layer.authorize_allowance import AuthorizeAllowance
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.consume_allowance import OrderElsewhere
from kinlink_ledger.service_layer.consume_allowance import consume_allowance
from kinlink_ledger.service_layer.end_allowance import allowance_ended
from kinlink_ledger.service_layer.end_allowance import end_allowance
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.release_expiring_holds import release_expiring_holds

from tests.ledger_facilities import D1
from tests.ledger_facilities import Handler
from tests.ledger_facilities import deliver

FAC = "FAC-DEMO"
RESIDENT = "R-1001"


def request(
    amount: int = 5000, card: str = "pm_card_visa", **changes: object
) -> AuthorizeAllowance:
    fields: dict[str, object] = {
        "allowance_id": uuid4(),
        "account_id": UUID(D1),
        "facility_id": FAC,
        "resident_id": RESIDENT,
        "amount": Cents(amount),
        "payment_method": card,
    }
    return AuthorizeAllowance(**{**fields, **changes})  # type: ignore[arg-type]


def authorize(ledger: Ledger, amount: int = 5000, card: str = "pm_card_visa") -> UUID:
    """A new allowance; returns the commissary's id for it."""
    return authorize_allowance(ledger, request(amount, card)).allowance_id


def allowance(ledger: Ledger, allowance_id: UUID) -> CommissaryAllowance:
    found = ledger.find(CommissaryAllowance.create_id(allowance_id), CommissaryAllowance)
    assert found is not None
    return found


def publish(ledger: Ledger, handler: Handler, event: IntegrationEvent) -> None:
    """Apply `event` as the commissary topic's next message."""
    envelope = Envelope.wrap(event, key=RESIDENT, producer="commissary", correlation_id="")
    deliver(ledger, handler, envelope)


def order(ledger: Ledger, allowance_id: UUID, order_id: str, amount: int) -> None:
    consumed = AllowanceConsumed(
        allowance_id=allowance_id,
        facility_id=FAC,
        resident_id=RESIDENT,
        order_id=order_id,
        amount_cents=amount,
    )
    publish(ledger, consume_allowance, consumed)


def orders(ledger: Ledger, allowance_id: UUID, *amounts: int) -> None:
    """Orders order-1, order-2, ... of these amounts, paid from the allowance."""
    for number, amount in enumerate(amounts, start=1):
        order(ledger, allowance_id, f"order-{number}", amount)


def hold_balance(ledger: Ledger, allowance_id: UUID) -> int:
    return ledger.views.journal.balance(journal.allowance_hold(allowance_id))


def assert_nothing_held(ledger: Ledger, payments: SimulatedProcessor, allowance_id: UUID) -> None:
    assert payments.held_total == 0
    assert hold_balance(ledger, allowance_id) == 0
    assert ledger.views.journal.balance(journal.CARD_HOLDS) == 0


def test_an_allowance_holds_the_card_and_books_the_hold(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    held = allowance(ledger, authorize(ledger, 5000))
    assert (held.status, held.authorized, held.captured) == (AllowanceStatus.AUTHORIZED, 5000, 0)
    assert held.hold_expires_at == clock.now + timedelta(days=7)
    assert (payments.held_total, payments.captured_total) == (5000, 0)
    assert ledger.views.journal.balance(journal.CARD_HOLDS) == 5000
    assert hold_balance(ledger, held.allowance_id) == -5000


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_authenticationRequired", "payer_authentication_failed"),
        ("pm_card_threeDSecure2Required", "payer_authentication_unavailable"),
        ("pm_card_mastercard_prepaid", "prepaid_not_supported"),
        ("pm_card_amex", "card_brand_not_accepted"),
    ],
)
def test_a_declined_hold_is_recorded_and_leaves_nothing(
    ledger: Ledger, payments: SimulatedProcessor, card: str, reason: str
) -> None:
    allowance_id = authorize(ledger, 5000, card)
    declined = allowance(ledger, allowance_id)
    assert (declined.status, declined.decline_reason) == (AllowanceStatus.DECLINED, reason)
    assert declined.authorized == 0 and declined.hold_expires_at is None
    order(ledger, allowance_id, "order-1", 1000)
    assert allowance(ledger, allowance_id).used == 0, "a declined allowance pays for nothing"
    assert end_allowance(ledger, allowance_id).status is AllowanceStatus.DECLINED
    assert payments.captured_total == 0
    assert_nothing_held(ledger, payments, allowance_id)


def test_a_hold_the_processor_refuses_to_ask_for_is_declined_not_an_internal_error(
    ledger: Ledger, clock: Clock
) -> None:
    class Refusing(SimulatedProcessor):
        def authorize(self, request: ChargeRequest) -> ChargeOutcome:
            raise PaymentRefused("Keys for idempotent requests can only be used once")

    ledger.payments = Refusing(clock=clock)
    declined = allowance(ledger, authorize(ledger))
    assert (declined.status, declined.decline_reason) == (
        AllowanceStatus.DECLINED,
        DeclineReason.PAYMENT_REFUSED,
    )
    assert declined.authorized == 0


def test_only_what_the_orders_used_is_captured_when_it_ends_and_the_rest_is_released(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    allowance_id = authorize(ledger, 5000)
    orders(ledger, allowance_id, 1200, 1800)
    assert allowance(ledger, allowance_id).left == 2000
    assert (payments.held_total, payments.captured_total) == (5000, 0)

    publish(
        ledger,
        allowance_ended,
        AllowanceEnded(allowance_id=allowance_id, facility_id=FAC, resident_id=RESIDENT),
    )
    ended = allowance(ledger, allowance_id)
    assert (ended.status, ended.captured, ended.released) == (AllowanceStatus.ENDED, 3000, 2000)
    assert payments.captured_total == 3000
    assert_nothing_held(ledger, payments, allowance_id)
    assert ledger.views.journal.balance(journal.CARD_CLEARING) == 3000
    assert ledger.views.journal.balance(journal.service_revenue(FAC, "commissary")) == -3000

    order(ledger, allowance_id, "order-3", 500)  # reported after the end: not covered
    assert allowance(ledger, allowance_id).covered["order-3"] == 0
    assert end_allowance(ledger, allowance_id).captured == 3000
    assert payments.captured_total == 3000


def test_orders_above_what_is_left_are_covered_up_to_it_and_never_beyond_the_hold(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    allowance_id = authorize(ledger, 5000)
    orders(ledger, allowance_id, 3000, 2500, 100)
    assert allowance(ledger, allowance_id).covered == {
        "order-1": 3000,
        "order-2": 2000,
        "order-3": 0,
    }
    ended = end_allowance(ledger, allowance_id)
    assert (ended.captured, ended.released) == (5000, 0)
    assert payments.captured_total == 5000
    assert_nothing_held(ledger, payments, allowance_id)


def test_an_order_reported_twice_counts_once(ledger: Ledger) -> None:
    allowance_id = authorize(ledger, 5000)
    orders(ledger, allowance_id, 1000)
    orders(ledger, allowance_id, 1000)
    assert allowance(ledger, allowance_id).used == 1000


def test_an_allowance_authorised_again_holds_the_card_once(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    first = request(5000)
    held = authorize_allowance(ledger, first)
    again = authorize_allowance(ledger, first)
    assert again.id == held.id and again.version == held.version
    assert payments.held_total == 5000
    assert ledger.views.journal.balance(journal.CARD_HOLDS) == 5000
    with refused(AlreadyExists, "allowance_id_reused", None):
        authorize_allowance(ledger, request(6000, allowance_id=first.allowance_id))


@pytest.mark.parametrize(
    ("changes", "kind", "code"),
    [
        ({"amount": Cents(0)}, InvalidArgument, "amount_not_positive"),
        ({"resident_id": " "}, InvalidArgument, "resident_id_missing"),
        # Not a card the family member added in identity (none is an empty token).
        ({"payment_method": ""}, NotFound, "payment_method_not_found"),
        ({"payment_method": "pm_nope"}, NotFound, "payment_method_not_found"),
        ({"facility_id": "FAC-NOWHERE"}, NotFound, "facility_not_found"),
        ({"facility_id": ""}, NotFound, "facility_not_found"),
    ],
)
def test_bad_requests_are_refused_and_hold_nothing(
    ledger: Ledger,
    payments: SimulatedProcessor,
    changes: dict[str, object],
    kind: type[InvalidArgument | NotFound],
    code: str,
) -> None:
    """Refused with a code and no request field: the entrypoint names the field
    (test_allowances_grpc)."""
    bad = request(**changes)
    with refused(kind, code, None):
        authorize_allowance(ledger, bad)
    assert ledger.find(CommissaryAllowance.create_id(bad.allowance_id), CommissaryAllowance) is None
    assert payments.held_total == 0


def test_holds_about_to_expire_are_ended_by_the_sweep(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    older = authorize(ledger, 5000)
    order(ledger, older, "order-1", 700)
    clock.now += timedelta(days=2)
    newer = authorize(ledger, 4000)
    clock.now += timedelta(days=4) - timedelta(seconds=1)
    assert release_expiring_holds(ledger, hold_days=6) == []
    clock.now += timedelta(seconds=1)
    [ended] = release_expiring_holds(ledger, hold_days=6)
    assert (ended.allowance_id, ended.captured, ended.released) == (older, 700, 4300)
    assert hold_balance(ledger, older) == 0
    assert allowance(ledger, newer).status is AllowanceStatus.AUTHORIZED
    assert (payments.held_total, payments.captured_total) == (4000, 700)
    assert release_expiring_holds(ledger, hold_days=6) == []


def test_a_capture_whose_answer_was_lost_is_finished_by_ending_again_without_charging_twice(
    ledger: Ledger, payments: SimulatedProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowance_id = authorize(ledger, 5000)
    order(ledger, allowance_id, "order-1", 1500)
    capture = payments.capture

    def answer_lost(reference: str, amount: Cents, idempotency_key: str) -> None:
        capture(reference, amount, idempotency_key)  # the processor did capture...
        raise PaymentUnavailable("connection reset")  # ...but the answer never came back

    monkeypatch.setattr(payments, "capture", answer_lost)
    with refused(FailedPrecondition, "end_outcome_unknown", None):
        end_allowance(ledger, allowance_id)
    assert allowance(ledger, allowance_id).status is AllowanceStatus.ENDING
    order(ledger, allowance_id, "order-2", 800)  # too late: what to capture is settled
    monkeypatch.undo()

    ended = end_allowance(ledger, allowance_id)
    assert (ended.status, ended.captured, ended.released) == (AllowanceStatus.ENDED, 1500, 3500)
    assert payments.captured_total == 1500
    assert_nothing_held(ledger, payments, allowance_id)


def test_an_end_the_processor_did_not_answer_is_finished_by_the_next_sweep(
    ledger: Ledger, payments: SimulatedProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowance_id = authorize(ledger, 5000)

    def unreachable(reference: str) -> None:
        raise PaymentUnavailable("timed out")

    monkeypatch.setattr(payments, "release", unreachable)
    with refused(FailedPrecondition, "end_outcome_unknown", None):
        end_allowance(ledger, allowance_id)
    assert release_expiring_holds(ledger, hold_days=6) == [], "the processor is still down"
    assert payments.held_total == 5000
    monkeypatch.undo()

    [ended] = release_expiring_holds(ledger, hold_days=6)  # long before the hold's sixth day
    assert (ended.status, ended.captured, ended.released) == (AllowanceStatus.ENDED, 0, 5000)
    assert payments.captured_total == 0
    assert_nothing_held(ledger, payments, allowance_id)


def test_one_hold_the_processor_refuses_to_end_does_not_stop_the_sweep(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    lapsed, due = authorize(ledger, 5000), authorize(ledger, 3000)
    order(ledger, lapsed, "order-1", 500)
    order(ledger, due, "order-2", 900)
    lapsed_hold = allowance(ledger, lapsed).payment_reference
    capture = payments.capture

    def lapsed_at_the_processor(reference: str, amount: Cents, idempotency_key: str) -> None:
        if reference == lapsed_hold:
            raise ValueError("this PaymentIntent's authorization has expired")
        capture(reference, amount, idempotency_key)

    monkeypatch.setattr(payments, "capture", lapsed_at_the_processor)
    clock.now += timedelta(days=6)
    [ended] = release_expiring_holds(ledger, hold_days=6)
    assert (ended.allowance_id, ended.captured, ended.released) == (due, 900, 2100)
    assert allowance(ledger, lapsed).status is AllowanceStatus.ENDING


def test_an_order_for_another_resident_is_not_charged_to_the_allowance(ledger: Ledger) -> None:
    allowance_id = authorize(ledger, 5000)
    elsewhere = AllowanceConsumed(
        allowance_id=allowance_id,
        facility_id=FAC,
        resident_id="R-9999",
        order_id="order-x",
        amount_cents=1000,
    )
    with pytest.raises(OrderElsewhere):
        publish(ledger, consume_allowance, elsewhere)
    assert allowance(ledger, allowance_id).used == 0
