"""The commissary on the real Kafka broker and PostgreSQL, as it runs (its bootstrap's consumers
and outbox relay): purchases a facility publishes on kinlink.facility.events.v1 are paid from
the resident's allowance and what it paid reaches kinlink.commissary.events.v1 as
AllowanceConsumed, keyed by the resident; a purchase published twice is paid once; a malformed
CommissaryPurchased goes to the dead-letter topic and the purchases after it are still paid."""

from __future__ import annotations

import uuid
from datetime import timedelta

from aiokafka.structs import ConsumerRecord
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_doubles import purchase
from tests.commissary_orders import MemoryLedger
from tests.conftest import TokenKeys
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import dead_letter_of
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic


async def test_purchases_on_the_facility_topic_are_paid_once_and_a_bad_one_is_dead_lettered(
    infra: Infra, fresh_database: str, clock: Clock, token_keys: TokenKeys
) -> None:
    run = uuid.uuid4().hex[:8]  # this run's own ids: the topics keep earlier runs' events
    facility, resident, group = f"FAC-{run}", f"R-{run}", f"test-commissary-{run}"
    settings = CommissarySettings(
        postgres_dsn=infra.postgres_url(fresh_database), consumer_group=group
    )
    for topic in (IDENTITY_EVENTS, FACILITY_EVENTS, LEDGER_EVENTS):
        await skip_earlier_events(infra.kafka_bootstrap, topic, group)
    commissary = build_commissary(settings, holds=MemoryHolds(), charges=MemoryLedger())
    commissary.clock = clock
    configure(commissary, facility)
    book(commissary, resident, facility)
    request = AllowanceRequest(uuid.uuid4(), facility, resident, 1000, "pm_card_visa")
    allowance = create_allowance(commissary, CreateAllowance(uuid.uuid4(), request))

    at = clock.now + timedelta(minutes=1)
    first = purchase(f"O-{run}-1", 600, at, resident, facility)
    # Nothing bought: the schema refuses it.
    bad = first.model_copy(
        update={"event_id": uuid.uuid4(), "payload": {**first.payload, "amount_cents": 0}}
    )
    second = purchase(f"O-{run}-2", 600, at, resident, facility)
    events = [first, first, bad, second]
    await produce(
        infra.kafka_bootstrap, FACILITY_EVENTS, [(e.key.encode(), e.to_bytes()) for e in events]
    )

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return str(allowance.allowance_id).encode() in record.value

    async def both_paid() -> bool:
        found = commissary.find(allowance.id, Allowance)
        return found is not None and len(found.uses) == 2

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-commissary-purchases")
    async with serving([commissary_service(settings, bus, commissary)], bus, token_keys.verifier()):
        await eventually(both_paid)
        paid = commissary.find(allowance.id, Allowance)
        records = await read_topic(
            infra.kafka_bootstrap,
            COMMISSARY_EVENTS,
            until=lambda rs: sum(ours(r) for r in rs) >= 3,
        )
    assert paid is not None
    assert [(u.order_reference, u.amount_cents) for u in paid.uses] == [
        (f"O-{run}-1", 600),
        (f"O-{run}-2", 400),
    ]
    published = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    assert [(e.type, e.key) for e in published] == [
        ("AllowanceCreated", resident),
        ("AllowanceConsumed", resident),
        ("AllowanceConsumed", resident),
    ]
    assert [e.payload["amount_cents"] for e in published[1:]] == [600, 400]

    letter, headers = await dead_letter_of(infra.kafka_bootstrap, FACILITY_EVENTS, group)
    assert (letter.key, letter.value) == (resident.encode(), bad.to_bytes())
    assert headers["dlq-error-type"] == "ValidationError"
