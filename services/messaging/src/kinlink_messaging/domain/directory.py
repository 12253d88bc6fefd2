"""Messaging's directory entries are the kit's now (`kinlink_kit.facility_settings`,
`kinlink_kit.residents`), shared with the other services that record facilities and residents
from identity's events; those stored while they were messaging's own read as the kit's."""

from __future__ import annotations

from eventsourcing.utils import register_topic
from kinlink_kit.facility_settings import FacilityEntry
from kinlink_kit.residents import ResidentEntry

for _kind, _names in (
    (FacilityEntry, ("Recorded", "Replaced")),
    (ResidentEntry, ("Booked", "Rebooked", "TransferredAway", "Released")),
):
    register_topic(f"{__name__}:{_kind.__name__}", _kind)
    for _name in _names:
        register_topic(f"{__name__}:{_kind.__name__}.{_name}", getattr(_kind, _name))
