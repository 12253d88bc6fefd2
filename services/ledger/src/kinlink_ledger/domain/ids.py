"""Aggregate ids derived from external keys, so a duplicate request collides in the store."""

from __future__ import annotations

from datetime import date
from uuid import UUID
from uuid import uuid5

LEDGER_NAMESPACE = UUID("6f1c8a52-3b7e-4c0a-9d55-2f1e8b7c4a10")


def commissary_allowance_id(allowance_id: UUID) -> UUID:
    """One commissary allowance holds the card once, however often it is authorised."""
    return uuid5(LEDGER_NAMESPACE, f"allowance/{allowance_id}")


def order_charge_id(order_id: UUID) -> UUID:
    """One commissary order is captured once, however many attempts charge it."""
    return uuid5(LEDGER_NAMESPACE, f"commissary-order/{order_id}")


def deposit_id(quote_id: UUID) -> UUID:
    """One quote can become one deposit, however often it is confirmed."""
    return uuid5(LEDGER_NAMESPACE, f"deposit/{quote_id}")


def facility_terms_id(facility_id: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"facility/{facility_id}")


def idempotency_claim_id(depositor_id: str, idempotency_key: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"idempotency/{depositor_id}/{idempotency_key}")


def resident_week_id(facility_id: str, resident_id: str, week_start: date) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"week/{facility_id}/{resident_id}/{week_start.isoformat()}")


def subscription_card_id(account_id: UUID) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"subscription-card/{account_id}")


def wallet_id(account_id: UUID) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"wallet/{account_id}")


def wallet_charge_id(account_id: UUID, reference: str) -> UUID:
    """One reference charges a wallet once, however often the charge is asked for."""
    return uuid5(LEDGER_NAMESPACE, f"wallet-charge/{account_id}/{reference}")


def wallet_funding_id(account_id: UUID, number: int) -> UUID:
    """The account's n-th funding: two fundings started at once collide."""
    return uuid5(LEDGER_NAMESPACE, f"wallet-funding/{account_id}/{number}")


def wallet_credit_id(account_id: UUID, reference: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"wallet-credit/{account_id}/{reference}")


def resident_id_at(facility_id: str, resident_id: str) -> UUID:
    """The resident as one facility knows them (its own id for them)."""
    return uuid5(LEDGER_NAMESPACE, f"resident/{facility_id}/{resident_id}")


def account_cards_id(account_id: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"account-cards/{account_id}")


def depositor_deposits_id(depositor_id: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"depositor-deposits/{depositor_id}")
