"""Visits booked straight into visitation's store, for the tests of what happens to a visit
after its booking (connecting, its room's reports)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.service_layer.visitation import Visitation

FACILITY = "FAC-DEMO"
RESIDENT = "R-1001"


def booked_visit(
    visitation: Visitation,
    starts_at: datetime,
    *,
    account_id: UUID | None = None,
    kind: VisitKind = VisitKind.REMOTE,
    slot_minutes: int = 30,
) -> Visit:
    visit = Visit.schedule(
        uuid4(),
        account_id=account_id or uuid4(),
        facility_id=FACILITY,
        resident_id=RESIDENT,
        kind=kind,
        station=1,
        starts_at=starts_at,
        slot_minutes=slot_minutes,
        price_per_minute_cents=25,
        facility_time_zone="America/Chicago",
        at=starts_at - timedelta(days=2),
    )
    visitation.store.save(visit)
    return visit
