"""What visitation needs from outside it, and the refusals about it: the facilities' settings
(recorded from identity's events). The video provider's port is `domain/video.py`; the wallet
the minutes are charged to is the ledger's (`adapters/`)."""

from __future__ import annotations

from kinlink_kit.errors import NotFound


class FacilityNotFound(NotFound):
    def __init__(self, facility_id: str) -> None:
        super().__init__("facility_not_found", f"No facility {facility_id}.")
