"""The `Directory` port on the gateway's own records: facilities' settings from identity's
FacilityConfigured (the kit's entries, as messaging keeps them) and correspondence from
messaging's MessageDelivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from kinlink_contracts.ids import canonical_id
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.facility_settings import RecordedFacilities

from kinlink_sms.domain.correspondence import Correspondence
from kinlink_sms.domain.ports import FacilityNotFound


class RecordedDirectory(RecordedFacilities):
    def __init__(
        self,
        store: TrackedApplication,
        settings_max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(store, FacilityNotFound, settings_max_age, clock)

    def corresponded(self, account_id: UUID, facility_id: str, resident_id: str) -> bool:
        entry_id = Correspondence.create_id(
            account_id, canonical_id(facility_id), canonical_id(resident_id)
        )
        return self.store.find(entry_id, Correspondence, to_change=False) is not None
