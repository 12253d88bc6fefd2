"""Aggregate ids derived from keys, so a repeated request lands on what the first one made
instead of doing the work twice. A client's visit id is namespaced by kind, so that it can never
name a calendar or any other aggregate."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid5

VISITATION_NAMESPACE = UUID("a41c7e52-9b3d-4f08-8e6a-1d5c2f7b9e30")


def visit_key(visit_id: UUID) -> UUID:
    """A family's request under one visit id is one visit, booked once."""
    return uuid5(VISITATION_NAMESPACE, f"visit/{visit_id}")


def calendar_key(owner: str, day: str) -> UUID:
    """One calendar per owner (a station of a facility, a resident, a visitor) and UTC day: two
    bookings of one owner's day meet on it, so one of them sees the other."""
    return uuid5(VISITATION_NAMESPACE, f"calendar/{owner}/{day}")


def refund_request_key(request_id: UUID) -> UUID:
    """A visitor's request under one request id is one refund request, filed once."""
    return uuid5(VISITATION_NAMESPACE, f"refund-request/{request_id}")
