"""QuoteDeposit: the fee, the total and what the resident's week still allows."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_contracts.ids import canonical_id
from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.quote import QUOTE_LIFETIME
from kinlink_ledger.domain.quote import DepositQuote
from kinlink_ledger.domain.week import deposit_week_start
from kinlink_ledger.service_layer.id_verification import check_id_verification
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.residents import where_held


@dataclass(frozen=True)
class QuoteDeposit:
    facility_id: str
    resident_id: str
    depositor_id: str
    amount: Cents
    # Whether identity verified the depositor (their token says): some facilities need it.
    depositor_verified: bool = False


def quote_deposit(ledger: Ledger, command: QuoteDeposit) -> DepositQuote:
    for name in ("facility_id", "resident_id", "depositor_id"):
        if not getattr(command, name).strip():
            raise InvalidArgument(f"{name}_missing", f"{name} is required.")
    if command.amount <= 0:
        raise InvalidArgument("amount_not_positive", "The amount must be more than $0.00.")
    ledger.facilities.get(canonical_id(command.facility_id))  # an unknown facility, said first
    # A transferred resident's deposits go to the facility holding them now, by its rules.
    place = where_held(ledger, command.facility_id, command.resident_id)
    facility = ledger.facilities.get(place.facility_id)
    fee = facility.fee_schedule.fee_for(command.amount)
    now = ledger.clock()
    # Checked when quoting, so the family learns it before paying; confirming checks again.
    check_id_verification(
        ledger,
        facility,
        ledger.depositor_deposits(command.depositor_id),
        command.amount,
        command.depositor_verified,
    )
    week_start = deposit_week_start(now, facility.time_zone).isoformat()
    week = ledger.week(place.facility_id, place.resident_id, week_start)
    quote = DepositQuote(
        facility_id=place.facility_id,
        resident_id=place.resident_id,
        depositor_id=command.depositor_id,
        amount=command.amount,
        fee=fee,
        weekly_limit=facility.weekly_limit,
        weekly_remaining=week.remaining(facility.weekly_limit),
        expires_at=now + QUOTE_LIFETIME,
    )
    ledger.issue(quote)
    return quote
