"""FacilityConfigured from identity: a facility's deposit settings, whole, at a new revision."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.domain.facility_terms import FacilityTerms
from kinlink_ledger.service_layer.ledger import Ledger


def configure_facility(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    configured = FacilityConfigured.model_validate(envelope.payload)
    terms = ledger.find(FacilityTerms.create_id(configured.facility_id), FacilityTerms)
    if terms is not None:
        terms.revise(configured.revision, configured.settings)
    else:
        terms = FacilityTerms.record(
            configured.facility_id, configured.revision, configured.settings
        )
    ledger.store.save_tracked(tracking, terms)
    ledger.facilities.forget(configured.facility_id)
