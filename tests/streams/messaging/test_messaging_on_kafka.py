"""Messaging on the real Kafka broker and PostgreSQL: identity's events on its topic fill
messaging's directory through the consumer (a malformed one goes to the dead-letter topic and
the next is handled), the outbox publishes a message's life on kinlink.messaging.events.v1, and
a resident's reply published on the facility's topic reaches the family member's inbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from hashlib import sha256

import pytest
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentMessagePosted
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.messaging import MessageSubmitted
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import consume
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_messaging.adapters.directory import RecordedDirectory
from kinlink_messaging.adapters.integration_events import MessagingEventTranslator
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import messaging_service
from kinlink_messaging.domain.ids import reply_id
from kinlink_messaging.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_messaging.service_layer.list_messages import ListMessages
from kinlink_messaging.service_layer.list_messages import list_inbox
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.conftest import TokenKeys
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import open_messaging
from tests.integration.messaging.sent import sent_message
from tests.messaging_directory import booked
from tests.messaging_directory import from_identity
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic
from tests.streams.kafka_helpers import relay_once


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def messaging(
    infra: Infra, fresh_database: str, outside: Outside, clock: Clock
) -> Iterator[Messaging]:
    """On the real PostgreSQL, with the wallet, directory and image store of the use cases'
    tests; the directory tests read messaging's own directory beside it."""
    settings = MessagingSettings(postgres_dsn=infra.postgres_url(fresh_database))
    messaging = open_messaging(settings, outside, clock)
    yield messaging
    messaging.close()


async def test_identitys_events_fill_the_directory_once_and_a_malformed_one_is_dead_lettered(
    infra: Infra, messaging: Messaging
) -> None:
    run = uuid.uuid4().hex[:8]  # this run's own ids: the topic keeps earlier runs' events
    facility, held, released = f"FAC-{run}", f"R-{run}-1", f"R-{run}-2"
    group = f"test-messaging-{run}"
    await skip_earlier_events(infra.kafka_bootstrap, IDENTITY_EVENTS, group)
    nameless = booked(facility, released).model_copy(update={"payload": {"facility_id": facility}})
    release = ResidentReleased(facility_id=facility, resident_id=released)
    booking = booked(facility, released)
    last = booked(facility, f"{released}-last")  # on the released one's partition, after it all
    events = [
        facility_configured(facility, DEMO_FACILITIES[FAC_DEMO]),
        booked(facility, held),
        nameless,  # the partition goes on past it: the same resident's next events are handled
        booking,
        from_identity(release, released),
        booking,  # published again (a relay retrying): it must not book them again
        last.model_copy(update={"key": released}),
    ]
    await produce(
        infra.kafka_bootstrap, IDENTITY_EVENTS, [(e.key.encode(), e.to_bytes()) for e in events]
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-messaging")
    directory = RecordedDirectory(messaging.store)
    consume(messaging, bus, group, {IDENTITY_EVENTS: IDENTITY_HANDLERS})

    async def all_recorded() -> bool:
        # Each key has its partition, consumed at its own pace.
        try:
            directory.facility(facility)
            directory.resident(facility, held)
            directory.resident(facility, f"{released}-last")
            return True
        except NotFound:
            return False

    await bus.start()
    try:
        await eventually(all_recorded)
    finally:
        await bus.stop()
    assert not directory.resident(facility, held).released
    assert directory.resident(facility, released).released
    assert directory.facility(facility) == DEMO_FACILITIES[FAC_DEMO]

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


async def test_the_outbox_publishes_a_sent_message_keyed_by_its_resident(
    infra: Infra, messaging: Messaging, outside: Outside
) -> None:
    family = uuid.uuid4()
    outside.wallet.fund(family, 1000)
    sent = send_message(
        messaging,
        SendMessage(family, FACILITY, RESIDENT, "k-1", "See you Sunday.", images=(b"photo",)),
    )

    relayed = await relay_once(
        infra.kafka_bootstrap,
        messaging.store,
        MessagingEventTranslator(messaging.store),
        "test-messaging-outbox",
    )
    assert relayed == messaging.store.recorder.max_notification_id()

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return str(sent.id).encode() in record.value  # earlier runs wrote to RESIDENT too

    records = await read_topic(
        infra.kafka_bootstrap,
        MESSAGING_EVENTS,
        until=lambda rs: sum(ours(r) for r in rs) >= 3,
    )
    envelopes = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    # The facility does not review: approved and delivered at once.
    assert [(e.type, e.key) for e in envelopes] == [
        ("MessageSubmitted", RESIDENT),
        ("MessageApproved", RESIDENT),
        ("MessageDelivered", RESIDENT),
    ]
    submitted = MessageSubmitted.model_validate(envelopes[0].payload)
    assert (submitted.amount_cents, submitted.payment_reference) == (150, f"message:{sent.id}")
    (image,) = submitted.images
    assert (image.key, image.sha256) == (sent.images[0].key, sha256(b"photo").hexdigest())


async def test_a_reply_published_on_the_facility_topic_reaches_the_inbox_and_is_delivered(
    infra: Infra, fresh_database: str, outside: Outside, clock: Clock, token_keys: TokenKeys
) -> None:
    """Through the service as it runs (its bootstrap's consumers and outbox relay)."""
    run = uuid.uuid4().hex[:8]
    group = f"test-messaging-replies-{run}"
    settings = MessagingSettings(
        postgres_dsn=infra.postgres_url(fresh_database), consumer_group=group
    )
    for topic in (IDENTITY_EVENTS, FACILITY_EVENTS):
        await skip_earlier_events(infra.kafka_bootstrap, topic, group)
    messaging = open_messaging(settings, outside, clock)
    family = uuid.uuid4()
    outside.wallet.fund(family, 1000)
    sent_message(messaging, family, FACILITY, RESIDENT)
    posted = ResidentMessagePosted(
        facility_id=FACILITY,
        resident_id=RESIDENT,
        account_id=family,
        body="Thank you for the photos.",
        client_key=f"tablet-{run}",
    )
    envelope = Envelope.wrap(posted, key=RESIDENT, producer="kiosk", correlation_id="test")
    await produce(
        infra.kafka_bootstrap, FACILITY_EVENTS, [(RESIDENT.encode(), envelope.to_bytes())]
    )
    reply = reply_id(FACILITY, RESIDENT, posted.client_key)

    async def in_the_inbox() -> bool:
        return bool(list_inbox(messaging, ListMessages(family, page_size=10)).rows)

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return str(reply).encode() in record.value

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-messaging-replies")
    # The service closes the application when it stops, as a process does.
    async with serving([messaging_service(settings, bus, messaging)], bus, token_keys.verifier()):
        await eventually(in_the_inbox)
        (received,) = list_inbox(messaging, ListMessages(family, page_size=10)).rows
        records = await read_topic(
            infra.kafka_bootstrap,
            MESSAGING_EVENTS,
            until=lambda rs: any(
                ours(r) and Envelope.from_bytes(r.value).type == "MessageDelivered" for r in rs
            ),
        )
    assert (received.id, received.body) == (reply, "Thank you for the photos.")
    envelopes = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    # The facility does not review: approved and delivered at once.
    assert [(e.type, e.key) for e in envelopes] == [
        ("MessageSubmitted", RESIDENT),
        ("MessageApproved", RESIDENT),
        ("MessageDelivered", RESIDENT),
    ]
    delivered = MessageDelivered.model_validate(envelopes[-1].payload)
    assert (delivered.direction, delivered.account_id) == (MessageDirection.FROM_RESIDENT, family)
