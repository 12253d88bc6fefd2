"""`kinlink facility show` prints the messaging rules a facility chose."""

from __future__ import annotations

import pytest
from kinlink_cli.facilities import show_facility
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import ImageRules
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_identity.entrypoints.facility_settings_message import facility_message


def shown(capsys: pytest.CaptureFixture[str], settings: FacilitySettings) -> str:
    show_facility(facility_message("FAC-1", 1, settings))
    return capsys.readouterr().out


def settings(**fields: object) -> FacilitySettings:
    return FacilitySettings.model_validate(
        {
            "name": "County Jail",
            "time_zone": "America/Chicago",
            "deposit_fee_tiers": [FeeTier(up_to_cents=30000, fee_cents=300)],
            **fields,
        }
    )


def test_the_image_rules_are_shown_with_their_dimensions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rules = ImageRules(max_per_message=3, min_dimension_px=200, max_dimension_px=4000)

    assert "200 to 4,000 px a side, 3 per message" in shown(capsys, settings(image_rules=rules))


@pytest.mark.parametrize(
    ("switched_off", "refunded", "line"),
    [
        (False, False, "messaging: on   rejected messages refunded: no"),
        (True, True, "messaging: switched off   rejected messages refunded: yes"),
    ],
)
def test_messaging_switched_off_and_refunds_are_shown(
    capsys: pytest.CaptureFixture[str], switched_off: bool, refunded: bool, line: str
) -> None:
    chosen = settings(messaging_switched_off=switched_off, refund_rejected_messages=refunded)

    assert line in shown(capsys, chosen)


def test_the_settings_message_carries_the_messaging_settings() -> None:
    chosen = settings(messaging_switched_off=True, refund_rejected_messages=True)

    message = settings_message(chosen)

    assert (message.messaging_switched_off, message.refund_rejected_messages) == (True, True)


def test_the_video_rules_and_the_fcc_size_tier_are_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    chosen = settings(
        video_stations=3,
        video_price_per_minute_cents=12,
        video_slot_minutes=[20, 45],
        video_booking_lead_minutes=120,
        video_booking_horizon_days=30,
        video_blackout_dates=["2026-12-25", "2026-12-24"],
        facility_kind="jail",
        average_daily_population=420,
    )

    lines = shown(capsys, chosen)

    assert (
        "video visits: $0.12 a minute from home (in the facility: free), 3 stations,"
        " 20 or 45 minutes, booked 120 minutes to 30 days ahead"
    ) in lines
    assert "FCC size tier: jail, 420 people on average" in lines
    assert "no video visits on: 2026-12-24, 2026-12-25" in lines
