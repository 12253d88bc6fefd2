"""Messaging's directory from identity's events, through the consumer's table: facilities'
settings replaced whole by newer revisions, residents booked, transferred, released, each event
applied once however often it comes. Each run on SQLite and on the real PostgreSQL
(the `messaging` fixture of this folder's conftest)."""

from __future__ import annotations

import pytest
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import FAC_EAST
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import consume
from kinlink_kit.consumer import event_tracking
from kinlink_kit.errors import NotFound
from kinlink_kit.residents import ResidentRecord
from kinlink_kit.testing import refused
from kinlink_messaging.adapters.directory import RecordedDirectory
from kinlink_messaging.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_messaging.service_layer.messaging import Messaging

from tests.messaging_directory import booked
from tests.messaging_directory import from_identity

NO_RESIDENT = (NotFound, "resident_not_found", None)
NO_FACILITY = (NotFound, "facility_not_found", None)


class Identity:
    """Identity's events as messaging's consumer receives them, one offset after another."""

    def __init__(self, messaging: Messaging) -> None:
        (self.consumer,) = consume(
            messaging, InMemoryBus(), "messaging", {IDENTITY_EVENTS: IDENTITY_HANDLERS}
        )
        self.offset = 0

    async def deliver(self, envelope: Envelope) -> None:
        self.offset += 1
        await self.consumer.on_message(
            IncomingMessage(IDENTITY_EVENTS, 0, self.offset, envelope.key, envelope.to_bytes())
        )

    async def publish(self, event: IntegrationEvent, key: str) -> Envelope:
        envelope = from_identity(event, key)
        await self.deliver(envelope)
        return envelope

    async def book(self, facility_id: str, resident_id: str, first: str = "Ada") -> Envelope:
        envelope = booked(facility_id, resident_id, first)
        await self.deliver(envelope)
        return envelope


class Ticks:
    """The directory's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def directory(messaging: Messaging, ticks: Ticks) -> RecordedDirectory:
    return RecordedDirectory(messaging.store, settings_max_age=1.0, clock=ticks)


@pytest.fixture
def identity(messaging: Messaging) -> Identity:
    return Identity(messaging)


def held(facility_id: str, resident_id: str, name: str = "Ada King") -> ResidentRecord:
    return ResidentRecord(facility_id, resident_id, name, released=False)


async def test_a_booked_resident_is_found_by_any_spelling_with_their_name(
    identity: Identity, directory: RecordedDirectory
) -> None:
    await identity.book(FAC_DEMO, "R-7")
    assert directory.resident(f" {FAC_DEMO}", "R-7\t") == held(FAC_DEMO, "R-7")
    with refused(*NO_RESIDENT):
        directory.resident(FAC_DEMO, "r-7")  # the facility's case is kept: another id
    with refused(*NO_RESIDENT):
        directory.resident(FAC_EAST, "R-7")


async def test_a_transferred_resident_is_found_at_the_new_facility_not_the_old(
    identity: Identity, directory: RecordedDirectory
) -> None:
    await identity.book(FAC_DEMO, "R-7")
    moved = ResidentTransferred(
        facility_id=FAC_DEMO, resident_id="R-7", to_facility_id=FAC_EAST, to_resident_id="E-70"
    )
    await identity.publish(moved, "R-7")
    await identity.book(FAC_EAST, "E-70")  # identity books them there in the same change
    with refused(*NO_RESIDENT):
        directory.resident(FAC_DEMO, "R-7")
    assert directory.resident(FAC_EAST, "E-70") == held(FAC_EAST, "E-70")


async def test_a_released_resident_is_found_released_and_a_new_booking_holds_them_again(
    identity: Identity, directory: RecordedDirectory
) -> None:
    await identity.book(FAC_DEMO, "R-7")
    await identity.publish(ResidentReleased(facility_id=FAC_DEMO, resident_id="R-7"), "R-7")
    assert directory.resident(FAC_DEMO, "R-7").released
    await identity.book(FAC_DEMO, "R-7", first="Adaline")
    assert directory.resident(FAC_DEMO, "R-7") == held(FAC_DEMO, "R-7", "Adaline King")


async def test_news_of_a_resident_never_booked_finds_nobody(
    identity: Identity, directory: RecordedDirectory
) -> None:
    released = await identity.publish(
        ResidentReleased(facility_id=FAC_DEMO, resident_id="R-NOBODY"), "R-NOBODY"
    )
    with refused(*NO_RESIDENT):
        directory.resident(FAC_DEMO, "R-NOBODY")
    assert identity.consumer.app.has_processed(event_tracking(released.event_id))


async def test_each_event_is_applied_once_however_often_it_comes(
    identity: Identity, directory: RecordedDirectory
) -> None:
    booked = await identity.book(FAC_DEMO, "R-7")
    await identity.publish(ResidentReleased(facility_id=FAC_DEMO, resident_id="R-7"), "R-7")
    await identity.deliver(booked)  # the relay published the booking again, under a new offset
    assert directory.resident(FAC_DEMO, "R-7").released


async def test_a_facilitys_settings_are_replaced_whole_by_a_newer_revision_only(
    identity: Identity, directory: RecordedDirectory, ticks: Ticks
) -> None:
    settings = DEMO_FACILITIES[FAC_DEMO]
    with refused(*NO_FACILITY):
        directory.facility(FAC_DEMO)
    await identity.deliver(facility_configured(FAC_DEMO, settings, revision=1))
    assert directory.facility(FAC_DEMO) == settings

    switched_off = settings.model_copy(update={"messaging_switched_off": True})
    await identity.deliver(facility_configured(FAC_DEMO, switched_off, revision=2))
    assert directory.facility(FAC_DEMO) == settings  # read less than a second ago
    ticks.now += 1.0
    assert directory.facility(FAC_DEMO) == switched_off

    late = facility_configured(FAC_DEMO, settings.model_copy(update={"name": "Old"}), revision=1)
    await identity.deliver(late)
    ticks.now += 1.0
    assert directory.facility(FAC_DEMO) == switched_off
    assert directory.facility(FAC_DEMO).messaging_switched_off
