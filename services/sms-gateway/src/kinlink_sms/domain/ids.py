"""Aggregate ids derived from external keys, so a repeated request lands on what the first one
made, and two requests racing for one thing collide on the store's key."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid5

SMS_NAMESPACE = UUID("6f1d2c4b-8a3e-4b7d-9e51-2c0a7f93b6d8")


def subscription_id(account_id: UUID, facility_id: str, resident_id: str) -> UUID:
    """A family member's SMS settings for one resident."""
    return uuid5(SMS_NAMESPACE, f"subscription/{account_id}/{facility_id}/{resident_id}")


def account_subscriptions_id(account_id: UUID) -> UUID:
    return uuid5(SMS_NAMESPACE, f"account-subscriptions/{account_id}")


def phone_number_id(phone_number: str) -> UUID:
    """A family phone, by its E.164 form."""
    return uuid5(SMS_NAMESPACE, f"phone/{phone_number}")


def number_route_id(phone_number: str, kinlink_number: str) -> UUID:
    """One conversation: a family phone and the Kinlink number it talks to."""
    return uuid5(SMS_NAMESPACE, f"route/{phone_number}/{kinlink_number}")


def correspondence_id(account_id: UUID, facility_id: str, resident_id: str) -> UUID:
    return uuid5(SMS_NAMESPACE, f"correspondence/{account_id}/{facility_id}/{resident_id}")


def inbound_sms_id(sid: str) -> UUID:
    """One SMS a phone sent (Twilio's MessageSid) is one inbound SMS, however often posted."""
    return uuid5(SMS_NAMESPACE, f"inbound/{sid}")
