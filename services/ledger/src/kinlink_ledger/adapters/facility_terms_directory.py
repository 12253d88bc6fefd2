"""Facilities' deposit settings, read from the terms the ledger recorded from identity.

Read from the store on every use: a read is small beside the rest of a deposit, and a change
identity publishes applies from the next deposit in every ledger process.
"""

from __future__ import annotations

from kinlink_kit.errors import NotFound
from kinlink_kit.eventstore import TrackedApplication

from kinlink_ledger.domain.facility import FacilityRules
from kinlink_ledger.domain.facility_terms import FacilityTerms


class FacilityTermsDirectory:
    def __init__(self, store: TrackedApplication) -> None:
        self.store = store

    def get(self, facility_id: str) -> FacilityRules:
        terms = self.store.find(FacilityTerms.create_id(facility_id), FacilityTerms)
        if terms is None:
            raise NotFound(
                "facility_not_found",
                f"No facility {facility_id!r} takes deposits here.",
                field="facility_id",
            )
        return terms.rules
