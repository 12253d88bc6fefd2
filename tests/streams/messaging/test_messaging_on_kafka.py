"""Messaging on the real Kafka broker and PostgreSQL: identity's events on its topic fill
messaging's directory through the consumer (a malformed one goes to the dead-letter topic and
the next is handled), and the outbox publishes a message's life on kinlink.messaging.events.v1."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.messaging import MessageSubmitted
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import consume
from kinlink_kit.errors import NotFound
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import each
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_messaging.adapters.integration_events import MessagingEventTranslator
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_messaging.service_layer.messaging import Messaging

from tests.messaging_directory import booked
from tests.messaging_directory import directory_only
from tests.messaging_directory import from_identity
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic


@pytest.fixture
def messaging(infra: Infra, fresh_database: str) -> Iterator[Messaging]:
    messaging = directory_only(ServiceSettings(postgres_dsn=infra.postgres_url(fresh_database)))
    yield messaging
    messaging.close()


async def test_identitys_events_fill_the_directory_and_a_malformed_one_is_dead_lettered(
    infra: Infra, messaging: Messaging
) -> None:
    run = uuid.uuid4().hex[:8]  # this run's own ids: the topic keeps earlier runs' events
    facility, held, released = f"FAC-{run}", f"R-{run}-1", f"R-{run}-2"
    group = f"test-messaging-{run}"
    await skip_earlier_events(infra.kafka_bootstrap, IDENTITY_EVENTS, group)
    nameless = booked(facility, released).model_copy(update={"payload": {"facility_id": facility}})
    release = ResidentReleased(facility_id=facility, resident_id=released)
    events = [
        facility_configured(facility, DEMO_FACILITIES[FAC_DEMO]),
        booked(facility, held),
        nameless,  # the partition goes on past it: the same resident's next events are handled
        booked(facility, released),
        from_identity(release, released),
    ]
    await produce(
        infra.kafka_bootstrap, IDENTITY_EVENTS, [(e.key.encode(), e.to_bytes()) for e in events]
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-messaging")
    consume(messaging, bus, group, {IDENTITY_EVENTS: IDENTITY_HANDLERS})

    async def all_recorded() -> bool:
        try:
            return messaging.directory.resident(facility, released).released
        except NotFound:
            return False

    await bus.start()
    try:
        await eventually(all_recorded)
    finally:
        await bus.stop()
    assert not messaging.directory.resident(facility, held).released
    assert messaging.directory.facility(facility) == DEMO_FACILITIES[FAC_DEMO]

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return dict(record.headers).get("dlq-group", b"").decode() == group

    dead = await read_topic(
        infra.kafka_bootstrap,
        dead_letter_topic(IDENTITY_EVENTS),
        until=lambda records: any(ours(r) for r in records),
    )
    (letter,) = [r for r in dead if ours(r)]
    headers = {name: value.decode() for name, value in letter.headers}
    assert (letter.key, letter.value) == (released.encode(), nameless.to_bytes())
    assert headers["dlq-error-type"] == "ValidationError"
    assert headers["dlq-topic"] == IDENTITY_EVENTS


async def test_the_outbox_publishes_a_submitted_message_keyed_by_its_resident(
    infra: Infra, messaging: Messaging, clock: Clock
) -> None:
    resident = f"R-{uuid.uuid4().hex[:8]}"
    message = Message.start(
        uuid.uuid4(), uuid.uuid4(), FAC_DEMO, resident, "See you Sunday.", (), None, clock()
    )
    messaging.store.save(message)
    message.submit(Payment(message.reference, 50, 950), reviewed=False, at=clock())
    messaging.store.save(message)

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-messaging-outbox")
    relay = OutboxRelay(messaging.store, bus, each(MessagingEventTranslator(messaging.store)))
    await bus.start()
    try:  # one batch holds the three events; the relay returns once Kafka acknowledged them
        relayed = await relay.follow_once(relay.position())
    finally:
        await bus.stop()
    assert relayed == messaging.store.recorder.max_notification_id()

    records = await read_topic(
        infra.kafka_bootstrap,
        MESSAGING_EVENTS,
        until=lambda rs: sum(r.key == resident.encode() for r in rs) >= 3,
    )
    envelopes = [Envelope.from_bytes(r.value) for r in records if r.key == resident.encode()]
    assert [e.type for e in envelopes] == [
        "MessageSubmitted",
        "MessageApproved",
        "MessageDelivered",
    ]
    submitted = MessageSubmitted.model_validate(envelopes[0].payload)
    assert (submitted.message_id, submitted.amount_cents) == (message.id, 50)
    assert submitted.payment_reference == f"message:{message.id}"
