"""ListBlockedResidents: the residents a family member blocked, the last blocked first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_messaging.service_layer.messaging import Messaging


@dataclass(frozen=True)
class BlockedResident:
    facility_id: str
    resident_id: str
    blocked_at: datetime


def list_blocked_residents(messaging: Messaging, account_id: UUID) -> list[BlockedResident]:
    blocked = [
        BlockedResident(facility_id, resident_id, at)
        for (facility_id, resident_id), at in messaging.blocks(account_id).blocked.items()
    ]
    return sorted(blocked, key=lambda b: b.blocked_at, reverse=True)
