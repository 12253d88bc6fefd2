"""A confirmed deposit reaches kinlink.ledger.events.v1 through the outbox, on the real broker."""

from __future__ import annotations

import asyncio
import uuid

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import DepositCaptured
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import each
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.ledger_facilities import D1
from tests.ledger_facilities import book
from tests.streams.kafka_helpers import read_topic


async def test_a_captured_deposit_is_published_keyed_by_resident_in_its_envelope(
    infra: Infra, postgres_ledger: Ledger
) -> None:
    ledger = postgres_ledger
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-outbox")
    relay = OutboxRelay(ledger.store, bus, each(LedgerEventTranslator(ledger.store)))
    await bus.start()
    relaying = asyncio.create_task(relay.run())
    resident = f"R-{uuid.uuid4().hex[:8]}"
    book(ledger, "FAC-DEMO", resident)
    try:
        quote = quote_deposit(ledger, QuoteDeposit("FAC-DEMO", resident, D1, Cents(5000)))
        deposit = confirm_deposit(
            ledger, ConfirmDeposit(str(quote.id), D1, "pm_card_visa", "k", "corr-1")
        )

        async def relayed() -> bool:
            return relay.position() == ledger.store.recorder.max_notification_id()

        await eventually(relayed)
    finally:
        relaying.cancel()
        await bus.stop()

    records = await read_topic(
        infra.kafka_bootstrap,
        LEDGER_EVENTS,
        until=lambda rs: sum(r.key == resident.encode() for r in rs) >= 2,
    )
    ours = [r for r in records if r.key == resident.encode()]
    envelopes = [Envelope.from_bytes(r.value) for r in ours]
    assert [e.type for e in envelopes] == ["DepositRequested", "DepositCaptured"]
    captured = envelopes[1]
    assert (captured.key, captured.producer, captured.correlation_id) == (
        resident,
        "ledger",
        "corr-1",
    )
    assert captured.causation_id == str(quote.id)
    event = DepositCaptured.model_validate(captured.payload)
    assert (event.deposit_id, event.total_cents) == (deposit.id, 5595)
    assert event.receipt_number == deposit.receipt_number
    # Both events of one resident land on one partition, in order.
    assert len({r.partition for r in ours}) == 1
    assert ours[0].offset < ours[1].offset
