"""What the ledger needs to know of a facility to take deposits for its residents."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.money import Cents, format_dollars


@dataclass(frozen=True)
class FeeTier:
    """Deposits up to `up_to` (inclusive) pay `fee`."""

    up_to: Cents
    fee: Cents


@dataclass(frozen=True)
class FeeSchedule:
    tiers: tuple[FeeTier, ...]

    def __post_init__(self) -> None:
        bounds = [tier.up_to for tier in self.tiers]
        if not bounds or bounds != sorted(set(bounds)):
            raise ValueError("fee tiers must be non-empty and in increasing order of amount")

    @property
    def largest_deposit(self) -> Cents:
        return self.tiers[-1].up_to

    def fee_for(self, amount: Cents) -> Cents:
        for tier in self.tiers:
            if amount <= tier.up_to:
                return tier.fee
        raise InvalidArgument(
            "amount_above_largest_deposit",
            f"The largest deposit this facility takes is {format_dollars(self.largest_deposit)}.",
            field="amount_cents",
        )


@dataclass(frozen=True)
class FacilityDepositSettings:
    facility_id: str
    name: str
    time_zone: ZoneInfo
    fee_schedule: FeeSchedule
    weekly_limit: Cents
    accepted_brands: frozenset[str]
