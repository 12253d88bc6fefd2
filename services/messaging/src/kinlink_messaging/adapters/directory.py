"""The `Directory` port on messaging's own entries, recorded from identity's events.

Facilities' settings are the kit's `RecordedFacilities`, kept in memory for up to
`settings_max_age` seconds. Residents are read from the store each time: a release must stop
messages at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.ids import canonical_id
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.facility_settings import RecordedFacilities

from kinlink_messaging.domain.directory import ResidentEntry
from kinlink_messaging.domain.ports import FacilityNotFound
from kinlink_messaging.domain.ports import ResidentNotFound
from kinlink_messaging.domain.ports import ResidentRecord


class RecordedDirectory:
    def __init__(
        self,
        store: TrackedApplication,
        settings_max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._facilities = RecordedFacilities(store, FacilityNotFound, settings_max_age, clock)

    def facility(self, facility_id: str) -> FacilitySettings:
        return self._facilities.facility(facility_id)

    def resident(self, facility_id: str, resident_id: str) -> ResidentRecord:
        facility_id, resident_id = canonical_id(facility_id), canonical_id(resident_id)
        entry = self.store.find(
            ResidentEntry.create_id(facility_id, resident_id), ResidentEntry, to_change=False
        )
        record = entry.record if entry is not None else None
        if record is None:
            raise ResidentNotFound(facility_id, resident_id)
        return record
