"""The commissary application: its event store, read models and the collaborators its use cases
need (the ledger that holds allowances on cards and charges orders, the facilities' settings,
the residents held where)."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.application import ServiceApplication
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.facility_settings import RecordedFacilities
from kinlink_kit.residents import RecordedResidents

from kinlink_commissary.adapters.commissary_views import CommissaryViews
from kinlink_commissary.domain.ports import AllowanceHolds
from kinlink_commissary.domain.ports import OrderCharges


class CommissaryStore(TrackedApplication):
    name = "commissary"


@dataclass
class Commissary(ServiceApplication[CommissaryStore, CommissaryViews]):
    holds: AllowanceHolds
    facilities: RecordedFacilities
    residents: RecordedResidents
    charges: OrderCharges
