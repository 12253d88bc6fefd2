"""The commissary's events on the real Kafka broker, handled by a running ledger on the real
PostgreSQL: an order paid from an allowance (AllowanceConsumed) counts against the card's hold,
and the allowance's end (AllowanceEnded) captures what was used and releases the rest."""

from __future__ import annotations

import uuid

from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.commissary import AllowanceEnded
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance

from tests.conftest import TokenKeys
from tests.integration.ledger.test_allowances import allowance
from tests.integration.ledger.test_allowances import hold_balance
from tests.integration.ledger.test_allowances import request
from tests.ledger_facilities import configure_demo_facilities
from tests.streams.kafka_helpers import produce


async def test_an_order_published_by_the_commissary_is_captured_by_a_running_ledger(
    infra: Infra, fresh_database: str, token_keys: TokenKeys
) -> None:
    group = f"test-ledger-{uuid.uuid4().hex[:8]}"  # this run's own, reading the topic afresh
    settings = LedgerSettings(
        postgres_dsn=infra.postgres_dsn, database=fresh_database, consumer_group=group
    )
    payments = SimulatedProcessor()
    ledger = build_ledger(settings, payments)
    configure_demo_facilities(ledger)
    resident = f"R-{uuid.uuid4().hex[:8]}"  # this run's own: the topic keeps earlier runs'
    allowance_id = authorize_allowance(ledger, request(5000, resident_id=resident)).allowance_id
    about = {"allowance_id": allowance_id, "facility_id": "FAC-DEMO", "resident_id": resident}

    def message(event: IntegrationEvent) -> tuple[bytes, bytes]:
        envelope = Envelope.wrap(event, key=resident, producer="commissary", correlation_id="c")
        return resident.encode(), envelope.to_bytes()

    await produce(
        infra.kafka_bootstrap,
        COMMISSARY_EVENTS,
        [
            message(AllowanceConsumed(**about, order_id="order-1", amount_cents=1800)),
            message(AllowanceEnded(**about)),
        ],
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-ledger")

    async def ended_by_the_commissary() -> bool:
        return allowance(ledger, allowance_id).status is AllowanceStatus.ENDED

    async with serving([ledger_service(settings, bus, ledger)], bus, token_keys.verifier()):
        await eventually(ended_by_the_commissary)
        ended = allowance(ledger, allowance_id)
        assert (ended.used, ended.captured, ended.released) == (1800, 1800, 3200)
        assert (payments.captured_total, payments.held_total) == (1800, 0)
        assert hold_balance(ledger, allowance_id) == 0
