"""GetFacility and ListFacilities: what anyone may know of the facilities, before signing in."""

from __future__ import annotations

from kinlink_identity.adapters.facility_directory_view import FacilityListing
from kinlink_identity.domain.facility import checked_id
from kinlink_identity.service_layer.identity import Identity


def get_facility(identity: Identity, facility_id: str) -> FacilityListing:
    facility = identity.facilities.facility(checked_id(facility_id, "facility_id"))
    return FacilityListing(facility.facility_id, facility.revision, facility.settings)


def list_facilities(identity: Identity) -> list[FacilityListing]:
    return identity.facilities.listing()
