"""The visitation application: its event store, read models and the collaborators its use cases
need (the facilities' settings and the residents held where, both recorded from identity's
events; the video provider's rooms)."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.application import ServiceApplication
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.facility_settings import RecordedFacilities
from kinlink_kit.residents import RecordedResidents

from kinlink_visitation.adapters.visitation_views import VisitationViews
from kinlink_visitation.domain.video import VideoRooms
from kinlink_visitation.domain.wallet import Wallet


class VisitationStore(TrackedApplication):
    name = "visitation"


@dataclass
class Visitation(ServiceApplication[VisitationStore, VisitationViews]):
    facilities: RecordedFacilities
    residents: RecordedResidents
    wallet: Wallet  # the families' wallets in the ledger, charged per connected minute
    rooms: VideoRooms
