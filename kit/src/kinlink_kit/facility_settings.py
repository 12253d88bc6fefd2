"""Facilities' settings as a service records them from identity's `FacilityConfigured`, and reads
them back, for every service that needs them without calling identity (messaging, the SMS
gateway).

An entry keeps a facility's settings whole at the newest revision identity published: events
may come late or twice, and an older or repeated revision changes nothing. Reading keeps a
facility's settings in memory for up to `max_age` seconds: every request reads them and they
change rarely, so a change takes effect within that time in every replica alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID
from uuid import uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.identity import FacilityConfigured
from kinlink_contracts.ids import canonical_id

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking
from kinlink_kit.expiring import ExpiringCache

# Messaging's first: its entries keep their ids. Each service has its own store, so services
# sharing it share nothing else.
_NAMESPACE = UUID("3c8e51a7-0d94-4b2f-8a6e-5f7b1c2d9e04")


class FacilityEntry(Aggregate):
    """A facility's settings, whole, at the newest revision identity published."""

    # Stored as the settings' JSON form: stored events hold plain data.
    class Recorded(Aggregate.Created):
        facility_id: str
        revision: int
        settings: dict[str, Any]

    class Replaced(Aggregate.Event):
        revision: int
        settings: dict[str, Any]

    @staticmethod
    def create_id(facility_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"facility/{facility_id}")

    @classmethod
    def record(cls, facility_id: str, revision: int, settings: FacilitySettings) -> FacilityEntry:
        return cls(facility_id=facility_id, revision=revision, settings=_plain(settings))

    @event(Recorded)
    def __init__(self, facility_id: str, revision: int, settings: dict[str, Any]) -> None:
        self.facility_id = facility_id
        self.revision = revision
        self.settings = FacilitySettings.model_validate(settings)

    def replace(self, revision: int, settings: FacilitySettings) -> None:
        """Identity's revision `revision`; an older or repeated one came late and changes
        nothing."""
        if revision > self.revision:
            self._replaced(revision, _plain(settings))

    @event(Replaced)
    def _replaced(self, revision: int, settings: dict[str, Any]) -> None:
        self.revision = revision
        self.settings = FacilitySettings.model_validate(settings)


def _plain(settings: FacilitySettings) -> dict[str, Any]:
    return settings.model_dump(mode="json")


def record_facility_configured(
    store: TrackedApplication, envelope: Envelope, tracking: Tracking
) -> None:
    """FacilityConfigured from identity: the settings, whole, replace what the service knew
    (saved with the event's tracking record, so a redelivered event changes nothing)."""
    configured = FacilityConfigured.model_validate(envelope.payload)
    entry = store.find(FacilityEntry.create_id(configured.facility_id), FacilityEntry)
    if entry is None:
        entry = FacilityEntry.record(
            configured.facility_id, configured.revision, configured.settings
        )
    else:
        entry.replace(configured.revision, configured.settings)
    store.save_tracked(tracking, entry)


class RecordedFacilities:
    """Facilities' settings as recorded in `store`; one never recorded is `not_found(id)`,
    the service's own refusal."""

    def __init__(
        self,
        store: TrackedApplication,
        not_found: Callable[[str], Exception],
        max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.not_found = not_found
        self._settings = ExpiringCache(self._read, max_age, clock)

    def facility(self, facility_id: str) -> FacilitySettings:
        return self._settings.get(canonical_id(facility_id))

    def _read(self, facility_id: str) -> FacilitySettings:
        entry = self.store.find(
            FacilityEntry.create_id(facility_id), FacilityEntry, to_change=False
        )
        if entry is None:
            raise self.not_found(facility_id)
        return entry.settings
