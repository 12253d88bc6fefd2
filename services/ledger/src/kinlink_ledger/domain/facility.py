"""What the ledger needs to know of a facility to take deposits for its residents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from kinlink_kit.errors import FailedPrecondition, InvalidArgument

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


# FAQ: "due to Federal regulations, some accounts must pass an ID verification".
ID_VERIFICATION_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class IdVerificationRule:
    """When this facility's deposits need a depositor whose identity is verified: never, always,
    or once the depositor's deposits of the last 30 days would exceed `above`."""

    required: bool = False
    above: Cents | None = None

    def needs_verification(self, recent_total: Callable[[], Cents], amount: Cents) -> bool:
        if not self.required:
            return False
        return self.above is None or recent_total() + amount > self.above

    def check(self, verified: bool, recent_total: Callable[[], Cents], amount: Cents) -> None:
        if not verified and self.needs_verification(recent_total, amount):
            raise FailedPrecondition(
                "id_verification_required",
                "Due to Federal regulations, verify your identity before this deposit.",
            )


@dataclass(frozen=True)
class FacilityDepositSettings:
    facility_id: str
    name: str
    time_zone: ZoneInfo
    fee_schedule: FeeSchedule
    weekly_limit: Cents
    accepted_brands: frozenset[str]
    id_verification: IdVerificationRule = IdVerificationRule()
