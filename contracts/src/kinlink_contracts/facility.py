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


class _ResidentEvent(IntegrationEvent):
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(
        min_length=1, description="The facility's own id for the resident; unique within it."
    )


class ResidentBooked(_ResidentEvent):
    """The resident is held at the facility from now on."""

    first_name: str = Field(min_length=1)
    last_name: str = Field(min_length=1)


class ResidentTransferred(_ResidentEvent):
    """The resident moved to another facility, which may know them by another id."""

    to_facility_id: str
    to_resident_id: str | None = Field(
        default=None, description="The id at the new facility; the same id when absent."
    )


class ResidentReleased(_ResidentEvent):
    """The resident left custody: no more deposits, messages or visits."""
