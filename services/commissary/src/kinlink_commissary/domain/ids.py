"""Aggregate ids derived from external keys, so a repeated report lands on what the first one
made instead of doing the work twice. Clients' keys (allowance ids, order ids) are namespaced by
kind, so that one kind's key can never name another kind's aggregate."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid5

COMMISSARY_NAMESPACE = UUID("6d1f4b2a-8c3e-4e57-a9d0-2b7c5e8f1a63")


def purchase_id(facility_id: str, order_reference: str) -> UUID:
    """One purchase a facility reports is paid once, however often it is reported."""
    return uuid5(COMMISSARY_NAMESPACE, f"purchase/{facility_id}/{order_reference}")


def resident_allowances_id(facility_id: str, resident_id: str) -> UUID:
    return uuid5(COMMISSARY_NAMESPACE, f"resident-allowances/{facility_id}/{resident_id}")


def allowance_key(allowance_id: UUID) -> UUID:
    """A family's request under one allowance id is one allowance, held once."""
    return uuid5(COMMISSARY_NAMESPACE, f"allowance/{allowance_id}")
