"""What the ledger needs to know of a facility: how it takes deposits for its residents, and
what its messaging subscription's services cost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.money import format_dollars


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
        )


# Requirements "ID Verification": some facilities require the depositor to be verified.
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


class ServiceKind(StrEnum):
    """What a messaging subscription's wallet pays for, one unit at a time."""

    MESSAGE = "message"
    IMAGE = "image"
    # requirements: an SMS costs what a message does, per 160-char segment
    SMS_SEGMENT = "sms_segment"
    MMS = "mms"  # a picture by SMS, priced as an image
    VIDEO_MINUTE = "video_minute"


@dataclass(frozen=True)
class PriceList:
    message: Cents
    image: Cents
    video_minute: Cents
    funding_options: tuple[Cents, ...]  # what the subscription may be funded with

    def unit_price(self, kind: ServiceKind) -> Cents:
        if kind in (ServiceKind.MESSAGE, ServiceKind.SMS_SEGMENT):
            return self.message
        if kind in (ServiceKind.IMAGE, ServiceKind.MMS):
            return self.image
        return self.video_minute

    def check_funding(self, amount: Cents) -> None:
        if amount not in self.funding_options:
            offered = ", ".join(format_dollars(option) for option in self.funding_options)
            raise InvalidArgument(
                "funding_amount_not_offered",
                f"This facility's messaging subscription is funded with one of: {offered}.",
            )


@dataclass(frozen=True)
class FacilityRules:
    facility_id: str
    name: str
    time_zone: ZoneInfo
    fee_schedule: FeeSchedule
    weekly_limit: Cents
    accepted_brands: frozenset[str]
    prices: PriceList
    id_verification: IdVerificationRule = IdVerificationRule()
