"""Facility settings: what ConfigureFacility refuses, and how the proto message maps to them."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings import DEFAULT_CARD_BRANDS
from kinlink_contracts.facility_settings import DEFAULT_WEEKLY_LIMIT_CENTS
from kinlink_contracts.facility_settings import CommissaryPaymentMode
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_contracts.facility_settings import Weekday
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_identity.domain.facility import Facility
from kinlink_identity.entrypoints.facility_settings_message import settings_of
from kinlink_identity.service_layer.configure_facility import checked_settings
from kinlink_kit.errors import InvalidArgument

TIERS = [{"up_to_cents": 2000, "fee_cents": 295}, {"up_to_cents": 10000, "fee_cents": 595}]


def settings(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Test Jail",
        "time_zone": "America/Chicago",
        "deposit_fee_tiers": TIERS,
        **changes,
    }


def refusal(**changes: Any) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as refused:
        checked_settings(settings(**changes))
    assert refused.value.code == "facility_settings_invalid"
    return refused.value


def test_the_defaults_fill_what_is_left_out() -> None:
    checked = checked_settings(settings())
    assert checked.weekly_deposit_limit_cents == DEFAULT_WEEKLY_LIMIT_CENTS == 30000
    assert checked.accepted_card_brands == tuple(sorted(DEFAULT_CARD_BRANDS))
    assert checked.review_policy is ReviewPolicy.REVIEW_NONE
    assert checked.id_verification_threshold_cents is None


@pytest.mark.parametrize("zone", ["America/Chikago", "", "Mars/Olympus_Mons"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    error = refusal(time_zone=zone)
    assert error.field == "settings.time_zone"


@pytest.mark.parametrize("days", [0, 6, 7])
def test_an_allowance_period_must_end_a_day_before_the_ledgers_hold(days: int) -> None:
    """The ledger ends every hold 6 days old: an allowance of 6 days would still pay purchases
    from a hold the ledger had settled."""
    error = refusal(allowance_period_days=days)
    assert error.field == "settings.allowance_period_days"
    assert checked_settings(settings(allowance_period_days=5)).allowance_period_days == 5


@pytest.mark.parametrize(
    "tiers",
    [
        [{"up_to_cents": 10000, "fee_cents": 595}, {"up_to_cents": 2000, "fee_cents": 295}],
        [{"up_to_cents": 2000, "fee_cents": 295}, {"up_to_cents": 2000, "fee_cents": 395}],
        [],
    ],
    ids=["decreasing", "repeated", "none"],
)
def test_fee_tiers_must_rise_and_exist(tiers: list[dict[str, int]]) -> None:
    error = refusal(deposit_fee_tiers=tiers)
    assert error.field == "settings.deposit_fee_tiers"


def test_a_fault_inside_a_tier_is_named_by_its_place() -> None:
    error = refusal(deposit_fee_tiers=[TIERS[0], {"up_to_cents": 5000, "fee_cents": -1}])
    assert error.field == "settings.deposit_fee_tiers[1].fee_cents"


def test_a_visiting_window_must_open_before_it_closes() -> None:
    window = {"day": "saturday", "opens": "14:00", "closes": "09:00"}
    error = refusal(visiting_hours=[{"day": "friday", "opens": "09:00", "closes": "17:00"}, window])
    assert error.field == "settings.visiting_hours[1]"
    assert "open before it closes" in error.message


def test_a_visiting_window_needs_a_real_day() -> None:
    error = refusal(visiting_hours=[{"day": "someday", "opens": "09:00", "closes": "17:00"}])
    assert error.field == "settings.visiting_hours[0].day"


def test_every_fault_is_listed_and_the_first_is_named() -> None:
    error = refusal(time_zone="Nowhere", weekly_deposit_limit_cents=0)
    assert error.field == "settings.time_zone"
    assert "settings.weekly_deposit_limit_cents" in error.message


def test_card_brands_are_compared_in_lower_case() -> None:
    checked = checked_settings(settings(accepted_card_brands=["Visa", "VISA", "Amex"]))
    assert checked.accepted_card_brands == ("amex", "visa")


def test_zero_and_empty_proto_fields_mean_the_defaults() -> None:
    message = pb.FacilitySettings(
        name="Test Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=[pb.FeeTier(up_to_cents=2000, fee_cents=0)],
    )
    checked = checked_settings(settings_of(message))
    assert checked.weekly_deposit_limit_cents == DEFAULT_WEEKLY_LIMIT_CENTS
    assert checked.message_price_cents == 50
    assert checked.accepted_card_brands == tuple(sorted(DEFAULT_CARD_BRANDS))
    assert checked.id_verification_threshold_cents is None
    assert checked.commissary_posting_day is Weekday.MONDAY
    assert checked.commissary_posting_time == time(6, 0)
    assert checked.commissary_payment_mode is CommissaryPaymentMode.CHARGE_AT_POSTING
    assert (checked.allowance_period_days, checked.commissary_available) == (5, True)
    assert (checked.video_slot_minutes, checked.video_booking_lead_minutes) == ((15, 30), 1440)
    assert (checked.facility_kind, checked.video_booking_horizon_days) == ("jail", 14)
    # ...but a fee of nothing is a fee.
    assert checked.deposit_fee_tiers[0].fee_cents == 0


def test_an_empty_name_is_refused_not_defaulted() -> None:
    message = settings_message(DEMO_FACILITIES[FAC_DEMO])
    message.name = ""
    with pytest.raises(InvalidArgument) as refused:
        checked_settings(settings_of(message))
    assert refused.value.field == "settings.name"


def test_settings_survive_the_trip_through_the_message() -> None:
    full = checked_settings(
        settings(
            weekly_deposit_limit_cents=20000,
            accepted_card_brands=["visa"],
            message_price_cents=35,
            review_policy="review_all",
            image_rules={"max_bytes": 1000, "content_types": ["image/png"], "max_per_message": 2},
            visiting_hours=[{"day": "sunday", "opens": "08:30", "closes": "11:45"}],
            video_stations=4,
            sms_available=True,
            commissary_posting_day="thursday",
            commissary_posting_time="05:30",
            commissary_payment_mode="pay_at_order",
            allowance_period_days=3,
            commissary_available=False,
            id_verification="before_deposit",
            id_verification_threshold_cents=50000,
            video_slot_minutes=[20, 10],
            video_booking_lead_minutes=0,
            video_booking_horizon_days=30,
            video_blackout_dates=["2026-12-25"],
            facility_kind="prison",
            average_daily_population=1200,
        )
    )
    assert checked_settings(settings_of(settings_message(full))) == full
    assert full.video_slot_minutes == (10, 20)
    assert full.video_booking_lead_minutes == 0  # a lead of nothing is a lead
    assert full.visiting_hours[0].opens == time(8, 30)
    assert full.id_verification is IdVerificationPolicy.BEFORE_DEPOSIT


def test_configuring_the_same_settings_again_records_nothing() -> None:
    facility = Facility.configure("FAC-T", checked_settings(settings()))
    facility.reconfigure(checked_settings(settings()))
    facility.reconfigure(
        checked_settings(settings(accepted_card_brands=["VISA", *DEFAULT_CARD_BRANDS]))
    )
    assert facility.revision == 1
    facility.reconfigure(checked_settings(settings(weekly_deposit_limit_cents=1000)))
    assert facility.revision == 2
    assert facility.settings.weekly_deposit_limit_cents == 1000
    # Stored events hold plain data, not pydantic objects.
    assert all(isinstance(event.settings, dict) for event in facility.collect_events())
