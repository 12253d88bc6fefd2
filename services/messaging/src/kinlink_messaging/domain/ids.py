"""Aggregate ids derived from external keys, so a repeated request lands on what the first one
made instead of doing the work twice."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid5

MESSAGING_NAMESPACE = UUID("0b6f3c1e-5a2d-4f8e-9c47-7d2e1a9b5c30")


def message_id(account_id: UUID, client_key: str) -> UUID:
    """One family member's send is one message (charged once), however often it is asked."""
    return uuid5(MESSAGING_NAMESPACE, f"message/{account_id}/{client_key}")


def reply_id(facility_id: str, resident_id: str, client_key: str) -> UUID:
    """One reply a facility's system posts for a resident is one message, however often posted."""
    return uuid5(MESSAGING_NAMESPACE, f"reply/{facility_id}/{resident_id}/{client_key}")


def sms_reply_id(sms_id: UUID) -> UUID:
    """One SMS reply a family member sent is one message, however often its event comes."""
    return uuid5(MESSAGING_NAMESPACE, f"sms-reply/{sms_id}")


def draft_id(account_id: UUID, client_key: str) -> UUID:
    """A new draft saved twice (a retried request) is one draft."""
    return uuid5(MESSAGING_NAMESPACE, f"draft/{account_id}/{client_key}")


def blocks_id(account_id: UUID) -> UUID:
    return uuid5(MESSAGING_NAMESPACE, f"blocks/{account_id}")
