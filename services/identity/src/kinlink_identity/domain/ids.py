"""Aggregate ids derived from external keys, so a duplicate collides in the store."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid5

IDENTITY_NAMESPACE = UUID("0c5b7f0e-8d5a-4f51-a7a4-5b8b1f3e2d61")


def email_claim_id(email: str) -> UUID:
    """One claim per address: two accounts can never hold the same email."""
    return uuid5(IDENTITY_NAMESPACE, f"email/{email}")


def one_time_token_id(token_digest: str) -> UUID:
    return uuid5(IDENTITY_NAMESPACE, f"token/{token_digest}")


def card_id(account_id: UUID, payment_method: str) -> UUID:
    """Adding the same processor token twice to one account is the same card."""
    return uuid5(IDENTITY_NAMESPACE, f"card/{account_id}/{payment_method}")


def facility_id_of(facility_id: str) -> UUID:
    return uuid5(IDENTITY_NAMESPACE, f"facility/{facility_id}")


def resident_id_of(facility_id: str, resident_id: str) -> UUID:
    """Resident ids are the facility's own, so they are only unique within one facility."""
    return uuid5(IDENTITY_NAMESPACE, f"resident/{facility_id}/{resident_id}")
