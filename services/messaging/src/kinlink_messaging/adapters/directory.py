"""The `Directory` port on messaging's own entries, recorded from identity's events.

Facilities' settings are the kit's `RecordedFacilities`, kept in memory for up to
`settings_max_age` seconds. Residents are the kit's `RecordedResidents`, read from the store each
time: a release must stop messages at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.facility_settings import RecordedFacilities
from kinlink_kit.residents import RecordedResidents
from kinlink_kit.residents import ResidentRecord

# Entries stored under messaging's own names before the kit kept them read as the kit's.
from kinlink_messaging.domain import directory as _stored_names  # noqa: F401
from kinlink_messaging.domain.ports import FacilityNotFound


class RecordedDirectory:
    def __init__(
        self,
        store: TrackedApplication,
        settings_max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._facilities = RecordedFacilities(store, FacilityNotFound, settings_max_age, clock)
        self._residents = RecordedResidents(store)

    def facility(self, facility_id: str) -> FacilitySettings:
        return self._facilities.facility(facility_id)

    def resident(self, facility_id: str, resident_id: str) -> ResidentRecord:
        return self._residents.resident(facility_id, resident_id)
