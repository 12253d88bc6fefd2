"""Integration events facility systems publish on `kinlink.facility.events.v1`."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class DepositPosted(IntegrationEvent):
    """The facility's trust-account system credited a captured deposit to the resident."""

    deposit_id: UUID
    facility_id: str
    resident_id: str
    posted_reference: str = Field(description="The facility system's own id for the posting.")
