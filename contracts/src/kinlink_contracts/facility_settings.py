"""A facility's settings, as identity publishes them in `FacilityConfigured`.

Every service takes what it needs from here: the ledger its deposit rules and prices, messaging
its review policy and image rules, visitation its hours and stations, sms-gateway what is on offer.
"""

from __future__ import annotations

from datetime import date
from datetime import time
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

DEFAULT_WEEKLY_LIMIT_CENTS = 30000  # $300.00 a week (requirements: "Deposit Limit Reached")
DEFAULT_CARD_BRANDS = ("visa", "mastercard", "discover")  # requirements: "Accepted Payment Methods"
# A day before the ledger ends an allowance's card hold (6 days old) on its own.
MAX_ALLOWANCE_PERIOD_DAYS = 5


class _Settings(BaseModel):
    # A consumer on an older v1 contract ignores fields added since, as the envelope's do.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class ReviewPolicy(StrEnum):
    """Whether an officer approves every message before the resident receives it."""

    REVIEW_ALL = "review_all"
    REVIEW_NONE = "review_none"


class CommissaryPaymentMode(StrEnum):
    """When a commissary-pack order is charged (requirements "Commissary Packs")."""

    CHARGE_AT_POSTING = "charge_at_posting"  # "most facilities post orders once per week"
    PAY_AT_ORDER = "pay_at_order"


class IdVerificationPolicy(StrEnum):
    """When this facility needs a depositor's identity verified ("due to Federal regulations")."""

    NEVER = "never"
    BEFORE_ACTIVATION = "before_activation"
    BEFORE_DEPOSIT = "before_deposit"


class FacilityKind(StrEnum):
    """The FCC's kind of facility, which with its size sets the cap on video prices."""

    PRISON = "prison"
    JAIL = "jail"


# The FCC's 2024 caps on a minute of video visit, in US cents: prisons one cap, jails by their
# average daily population (the smaller the jail, the higher the cap).
PRISON_VIDEO_CAP_CENTS = 16
JAIL_VIDEO_CAPS_CENTS = ((1000, 11), (350, 12), (100, 14), (0, 25))


def video_price_cap_cents(kind: FacilityKind, average_daily_population: int) -> int:
    """The most a facility of this kind and size may charge for a minute of video visit."""
    if kind is FacilityKind.PRISON:
        return PRISON_VIDEO_CAP_CENTS
    return next(
        cap for population, cap in JAIL_VIDEO_CAPS_CENTS if average_daily_population >= population
    )


class FeeTier(_Settings):
    up_to_cents: int = Field(gt=0, description="Deposits up to this amount (inclusive) pay...")
    fee_cents: int = Field(ge=0, description="...this fee, in US cents.")


class ImageRules(_Settings):
    max_bytes: int = Field(default=5_000_000, gt=0)
    content_types: tuple[str, ...] = ("image/jpeg", "image/png")
    max_per_message: int = Field(default=1, ge=0)
    min_dimension_px: int = Field(
        default=64, gt=0, description="Neither side of an image may be shorter, in pixels."
    )
    max_dimension_px: int = Field(
        default=10_000, gt=0, description="Neither side of an image may be longer, in pixels."
    )

    @model_validator(mode="after")
    def _dimensions_in_order(self) -> Self:
        if self.min_dimension_px > self.max_dimension_px:
            raise ValueError("the smallest image side allowed must not exceed the largest")
        return self


class VisitingWindow(_Settings):
    day: Weekday
    opens: time = Field(description="Local time in the facility's time zone.")
    closes: time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> Self:
        if self.opens >= self.closes:
            raise ValueError("a visiting window must open before it closes")
        return self


class FacilitySettings(_Settings):
    name: str = Field(min_length=1, examples=["Demo County Jail"])
    time_zone: str = Field(description="IANA time zone.", examples=["America/Chicago"])
    weekly_deposit_limit_cents: int = Field(
        default=DEFAULT_WEEKLY_LIMIT_CENTS,
        gt=0,
        description="Most that all depositors together may deposit for one resident in a "
        "Sunday-to-Saturday week, in the facility's time zone.",
    )
    deposit_fee_tiers: tuple[FeeTier, ...] = Field(min_length=1)
    # Validated like given brands, so that settings compare equal however they were made.
    accepted_card_brands: tuple[str, ...] = Field(
        default=DEFAULT_CARD_BRANDS, validate_default=True
    )
    messaging_funding_options_cents: tuple[int, ...] = Field(
        default=(1000, 2000, 3000, 5000),
        min_length=1,
        description="The amounts a family may fund its messaging subscription with, in US "
        "cents (the facility's price list).",
    )
    message_price_cents: int = Field(default=50, ge=0)
    image_price_cents: int = Field(default=100, ge=0)
    review_policy: ReviewPolicy = ReviewPolicy.REVIEW_NONE
    messaging_switched_off: bool = Field(
        default=False, description="No messages to or from this facility's residents."
    )
    refund_rejected_messages: bool = Field(
        default=False,
        description="Whether a message an officer rejects is credited back to the sender's "
        "messaging subscription (by default it is not, as families are told before sending).",
    )
    image_rules: ImageRules = ImageRules()
    visiting_hours: tuple[VisitingWindow, ...] = ()
    video_stations: int = Field(default=0, ge=0)
    video_price_per_minute_cents: int = Field(
        default=25,
        ge=0,
        description="A remote video visit's price per connected minute, in US cents; identity "
        "refuses one above the FCC's cap for the facility's kind and size. In-facility visits "
        "are free.",
    )
    video_slot_minutes: tuple[int, ...] = Field(
        default=(15, 30),
        min_length=1,
        description="The lengths, in minutes, a video visit may be booked for (5 to 120).",
    )
    video_booking_lead_minutes: int = Field(
        default=1440,
        ge=0,
        description="A scheduled video visit starts at least this long after it is booked "
        "(a direct dial is exempt).",
    )
    video_booking_horizon_days: int = Field(
        default=14, ge=1, le=90, description="How many days ahead a video visit may be booked."
    )
    video_blackout_dates: tuple[date, ...] = Field(
        default=(), description="Facility-local dates without video visits."
    )
    facility_kind: FacilityKind = FacilityKind.JAIL
    average_daily_population: int = Field(
        default=0, ge=0, description="The FCC's size tier for a jail's video price cap."
    )
    sms_available: bool = False
    mms_available: bool = False
    commissary_posting_day: Weekday = Weekday.MONDAY
    commissary_posting_time: time = Field(
        default=time(6, 0),
        description="When the posting run charges the week's orders, local to the facility.",
    )
    commissary_payment_mode: CommissaryPaymentMode = CommissaryPaymentMode.CHARGE_AT_POSTING
    allowance_period_days: int = Field(
        default=MAX_ALLOWANCE_PERIOD_DAYS,
        ge=1,
        le=6,
        description="Days a commissary allowance may be used before it ends. At most 5 (the "
        "schema's bound of 6 is kept for v1's sake; 6 is refused): the ledger ends every card "
        "hold 6 days old, and the allowance must end, and the purchases made in it reach the "
        "ledger, a day before.",
    )
    commissary_available: bool = Field(
        default=True, description="Whether the facility's residents can get commissary packs."
    )
    id_verification: IdVerificationPolicy = IdVerificationPolicy.NEVER
    id_verification_threshold_cents: int | None = Field(
        default=None,
        gt=0,
        description="With before_deposit: deposits by one account over 30 days above which "
        "the next deposit needs a verified identity; none means every deposit does.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("allowance_period_days")
    @classmethod
    def _period_ends_before_the_hold(cls, value: int) -> int:
        if value > MAX_ALLOWANCE_PERIOD_DAYS:
            raise ValueError(
                f"an allowance may last at most {MAX_ALLOWANCE_PERIOD_DAYS} days: the ledger ends "
                "card holds 6 days old"
            )
        return value

    @field_validator("accepted_card_brands")
    @classmethod
    def _lower_case_brands(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({brand.lower() for brand in value}))

    @field_validator("messaging_funding_options_cents")
    @classmethod
    def _positive_funding_options(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(amount <= 0 for amount in value):
            raise ValueError("funding amounts must be more than 0 cents")
        return tuple(sorted(set(value)))

    @field_validator("video_slot_minutes")
    @classmethod
    def _slot_lengths(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 5 <= minutes <= 120 for minutes in value):
            raise ValueError("a video slot lasts 5 to 120 minutes")
        return tuple(sorted(set(value)))

    @field_validator("video_blackout_dates")
    @classmethod
    def _sorted_dates(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(sorted(set(value)))

    @field_validator("deposit_fee_tiers")
    @classmethod
    def _increasing_tiers(cls, value: tuple[FeeTier, ...]) -> tuple[FeeTier, ...]:
        bounds = [tier.up_to_cents for tier in value]
        if bounds != sorted(set(bounds)):
            raise ValueError("fee tiers must be in increasing order of amount")
        return value
