"""What the outbox publishes for each deposit event, on SQLite and PostgreSQL."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import DepositCaptured, DepositDeclined
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit, confirm_deposit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit, quote_deposit


def published(ledger: Ledger, translator: LedgerEventTranslator, after: int = 0) -> list[Envelope]:
    notifications = ledger.store.tracking.select_notifications(
        after, 1000, inclusive_of_start=False
    )
    return [Envelope.from_bytes(m.value) for n in notifications if (m := translator(n))]


def confirmed(ledger: Ledger, method: str, amount: int = 5000) -> None:
    quote = quote_deposit(ledger, QuoteDeposit("FAC-DEMO", "R-9", "D-9", Cents(amount)))
    confirm_deposit(ledger, ConfirmDeposit(str(quote.id), "D-9", method, str(quote.id), "corr"))


def test_only_deposit_events_are_published_in_order(ledger: Ledger) -> None:
    confirmed(ledger, "pm_card_visa")
    confirmed(ledger, "pm_card_chargeDeclined")
    envelopes = published(ledger, LedgerEventTranslator(ledger.store))
    assert [e.type for e in envelopes] == [
        "DepositRequested",
        "DepositCaptured",
        "DepositRequested",
        "DepositDeclined",
    ]
    assert {e.key for e in envelopes} == {"R-9"}
    captured = DepositCaptured.model_validate(envelopes[1].payload)
    assert (captured.amount_cents, captured.fee_cents, captured.total_cents) == (5000, 595, 5595)
    assert DepositDeclined.model_validate(envelopes[3].payload).reason == "card_declined"


def test_a_relay_restarted_between_request_and_outcome_publishes_the_same_events(
    ledger: Ledger,
) -> None:
    confirmed(ledger, "pm_card_visa")
    before_restart = published(ledger, LedgerEventTranslator(ledger.store))
    # A new translator (a restarted relay) starts after the Requested event.
    after_restart = published(ledger, LedgerEventTranslator(ledger.store), after=2)
    assert after_restart[-1] == before_restart[-1]
