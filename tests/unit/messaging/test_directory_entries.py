"""Messaging's directory entries change only when identity's news is news to them."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.facility_settings import FacilityEntry
from kinlink_kit.residents import ResidentEntry
from kinlink_kit.residents import ResidentRecord
from kinlink_messaging.domain import directory as messaging_names

SETTINGS = DEMO_FACILITIES[FAC_DEMO]
MESSAGING_MODULE = messaging_names.__name__


def recorded(entry: ResidentEntry | FacilityEntry) -> list[str]:
    return [type(event).__name__ for event in entry.collect_events()]


def test_the_same_news_told_again_records_nothing() -> None:
    resident = ResidentEntry(FAC_DEMO, "R-7", "Ada", "King")
    resident.book("Ada", "King")
    resident.release()
    resident.release()
    resident.book("Ada", "King")
    resident.transfer_away()
    resident.transfer_away()
    assert recorded(resident) == ["Booked", "Released", "Rebooked", "TransferredAway"]


def test_a_booking_under_new_names_renames_the_resident() -> None:
    resident = ResidentEntry(FAC_DEMO, "R-7", "Ada", "King")
    resident.book("Ada", "Lovelace")
    assert resident.record == ResidentRecord(FAC_DEMO, "R-7", "Ada Lovelace", released=False)


def test_a_resident_transferred_away_has_no_record_here_until_booked_again() -> None:
    resident = ResidentEntry(FAC_DEMO, "R-7", "Ada", "King")
    resident.transfer_away()
    assert resident.record is None
    resident.book("Ada", "King")
    assert resident.record == ResidentRecord(FAC_DEMO, "R-7", "Ada King", released=False)


def test_only_a_newer_revision_replaces_a_facilitys_settings() -> None:
    facility = FacilityEntry.record(FAC_DEMO, 2, SETTINGS)
    facility.replace(2, SETTINGS.model_copy(update={"messaging_switched_off": True}))
    facility.replace(1, SETTINGS.model_copy(update={"message_price_cents": 5}))
    assert facility.settings == SETTINGS
    facility.replace(3, SETTINGS.model_copy(update={"message_price_cents": 5}))
    assert (facility.revision, facility.settings.message_price_cents) == (3, 5)
    assert recorded(facility) == ["Recorded", "Replaced"]


def stored_as_messagings_own(entry: Aggregate) -> Application[UUID]:
    """A store holding `entry`'s events as messaging stored them before the kit kept such
    entries: under its own module's names."""
    store = Application[UUID]()
    kit_module = type(entry).__module__
    stored_then = [
        replace(
            stored,
            topic=stored.topic.replace(kit_module, MESSAGING_MODULE),
            state=stored.state.replace(kit_module.encode(), MESSAGING_MODULE.encode()),
        )
        for stored in map(store.mapper.to_stored_event, entry.collect_events())
    ]
    assert all(MESSAGING_MODULE in s.topic for s in stored_then)
    store.recorder.insert_events(stored_then)
    return store


def test_a_facility_entry_stored_while_it_was_messagings_own_reads_as_the_kits() -> None:
    facility = FacilityEntry.record(FAC_DEMO, 1, SETTINGS)
    facility.replace(2, SETTINGS.model_copy(update={"message_price_cents": 5}))

    read = stored_as_messagings_own(facility).repository.get(facility.id)

    assert isinstance(read, FacilityEntry)
    assert (read.revision, read.settings.message_price_cents) == (2, 5)


def test_a_resident_entry_stored_while_it_was_messagings_own_reads_as_the_kits() -> None:
    resident = ResidentEntry(FAC_DEMO, "R-7", "Ada", "King")
    resident.release()

    read = stored_as_messagings_own(resident).repository.get(resident.id)

    assert isinstance(read, ResidentEntry)
    assert read.record == ResidentRecord(FAC_DEMO, "R-7", "Ada King", released=True)
