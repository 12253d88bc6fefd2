"""Facilities' rules (deposit settings, prices), from the terms the ledger recorded from identity.

Kept in memory for up to `max_age` seconds: every charge and deposit needs them, and they change
rarely. A change this process applies takes effect here at once (`forget`); one applied by
another replica of the ledger, within `max_age`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kinlink_kit.eventstore import TrackedApplication

from kinlink_ledger.domain.facility import FacilityRules
from kinlink_ledger.domain.facility_terms import FacilityNotFound
from kinlink_ledger.domain.facility_terms import FacilityTerms


class FacilityTermsDirectory:
    def __init__(
        self,
        store: TrackedApplication,
        max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.max_age = max_age
        self.clock = clock
        self._known: dict[str, tuple[FacilityRules, float]] = {}
        self._lock = threading.Lock()

    def get(self, facility_id: str) -> FacilityRules:
        now = self.clock()
        with self._lock:
            known = self._known.get(facility_id)
        if known is not None and now - known[1] < self.max_age:
            return known[0]
        terms = self.store.find(
            FacilityTerms.create_id(facility_id), FacilityTerms, to_change=False
        )
        if terms is None:
            raise FacilityNotFound(facility_id)
        rules = terms.rules
        with self._lock:
            self._known[facility_id] = (rules, now)
        return rules

    def forget(self, facility_id: str) -> None:
        """The facility's terms changed: read them again next time."""
        with self._lock:
            self._known.pop(facility_id, None)
