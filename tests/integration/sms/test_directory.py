"""The gateway's directory from its consumers' tables, on SQLite and on the real PostgreSQL:
facilities' settings from identity's FacilityConfigured (newer revisions replace them whole),
correspondence from messaging's MessageDelivered either way, each event applied once however
often it comes."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.consumer import consume
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused
from kinlink_sms.adapters.directory import RecordedDirectory
from kinlink_sms.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_sms.entrypoints.messaging_events import MESSAGING_HANDLERS
from kinlink_sms.service_layer.gateway import SmsGateway

from tests.sms_doubles import sms_facility_settings

FACILITY = "FAC-SMS"


class Upstream:
    """Identity's and messaging's events as the gateway's consumers receive them."""

    def __init__(self, gateway: SmsGateway) -> None:
        consumers = consume(
            gateway,
            InMemoryBus(),
            "sms-gateway",
            {IDENTITY_EVENTS: IDENTITY_HANDLERS, MESSAGING_EVENTS: MESSAGING_HANDLERS},
        )
        self.consumers: dict[str, TrackingConsumer] = {c.topic: c for c in consumers}
        self.offsets = {topic: 0 for topic in self.consumers}

    async def deliver(self, topic: str, envelope: Envelope, *, again: bool = False) -> None:
        if not again:
            self.offsets[topic] += 1
        await self.consumers[topic].on_message(
            IncomingMessage(topic, 0, self.offsets[topic], envelope.key, envelope.to_bytes())
        )


def delivered(account_id: UUID, direction: MessageDirection, resident_id: str = "R-1") -> Envelope:
    event = MessageDelivered(
        message_id=uuid4(),
        facility_id=FACILITY,
        resident_id=resident_id,
        account_id=account_id,
        direction=direction,
    )
    return Envelope.wrap(event, key=resident_id, producer="messaging", correlation_id="test")


@pytest.fixture
def upstream(gateway: SmsGateway) -> Upstream:
    return Upstream(gateway)


@pytest.fixture
def directory(gateway: SmsGateway) -> RecordedDirectory:
    return RecordedDirectory(gateway.store, settings_max_age=0.001)


async def test_a_facilitys_settings_are_its_newest_revision(
    upstream: Upstream, directory: RecordedDirectory
) -> None:
    with refused(NotFound, "facility_not_found"):
        directory.facility(FACILITY)
    offering = sms_facility_settings(mms_available=True)
    await upstream.deliver(IDENTITY_EVENTS, facility_configured(FACILITY, offering, revision=2))
    late = sms_facility_settings(sms_available=False)
    await upstream.deliver(IDENTITY_EVENTS, facility_configured(FACILITY, late, revision=1))

    assert directory.facility(f" {FACILITY} ") == offering


@pytest.mark.parametrize("direction", list(MessageDirection))
async def test_a_message_delivered_either_way_is_correspondence_recorded_once(
    gateway: SmsGateway,
    upstream: Upstream,
    directory: RecordedDirectory,
    direction: MessageDirection,
) -> None:
    account_id = uuid4()
    assert not directory.corresponded(account_id, FACILITY, "R-1")
    envelope = delivered(account_id, direction)
    await upstream.deliver(MESSAGING_EVENTS, envelope)
    recorded = gateway.store.recorder.max_notification_id()
    await upstream.deliver(MESSAGING_EVENTS, envelope, again=True)
    await upstream.deliver(MESSAGING_EVENTS, delivered(account_id, direction))

    assert gateway.store.recorder.max_notification_id() == recorded
    assert directory.corresponded(account_id, FACILITY, "R-1")
    assert not directory.corresponded(account_id, FACILITY, "R-2")
    assert not directory.corresponded(uuid4(), FACILITY, "R-1")
