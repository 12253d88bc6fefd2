"""FacilitySettings as the identity API's message, for every client that sends or answers one
(the identity service, the CLI, the embedded mode's seeding)."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb

from kinlink_contracts.facility_settings import FacilitySettings

_TIME = "%H:%M"


def settings_message(settings: FacilitySettings) -> pb.FacilitySettings:
    return pb.FacilitySettings(
        name=settings.name,
        time_zone=settings.time_zone,
        weekly_deposit_limit_cents=settings.weekly_deposit_limit_cents,
        deposit_fee_tiers=[
            pb.FeeTier(up_to_cents=tier.up_to_cents, fee_cents=tier.fee_cents)
            for tier in settings.deposit_fee_tiers
        ],
        accepted_card_brands=settings.accepted_card_brands,
        messaging_funding_options_cents=settings.messaging_funding_options_cents,
        message_price_cents=settings.message_price_cents,
        image_price_cents=settings.image_price_cents,
        review_policy=settings.review_policy.value,
        image_rules=pb.ImageRules(
            max_bytes=settings.image_rules.max_bytes,
            content_types=settings.image_rules.content_types,
            max_per_message=settings.image_rules.max_per_message,
            min_dimension_px=settings.image_rules.min_dimension_px,
            max_dimension_px=settings.image_rules.max_dimension_px,
        ),
        messaging_switched_off=settings.messaging_switched_off,
        refund_rejected_messages=settings.refund_rejected_messages,
        visiting_hours=[
            pb.VisitingWindow(
                day=window.day.value,
                opens=window.opens.strftime(_TIME),
                closes=window.closes.strftime(_TIME),
            )
            for window in settings.visiting_hours
        ],
        video_stations=settings.video_stations,
        video_price_per_minute_cents=settings.video_price_per_minute_cents,
        sms_available=settings.sms_available,
        mms_available=settings.mms_available,
        commissary_posting_day=settings.commissary_posting_day.value,
        commissary_payment_mode=settings.commissary_payment_mode.value,
        commissary_posting_time=settings.commissary_posting_time.strftime(_TIME),
        allowance_period_days=settings.allowance_period_days,
        commissary_available=settings.commissary_available,
        id_verification=settings.id_verification.value,
        id_verification_threshold_cents=settings.id_verification_threshold_cents or 0,
        video_slot_minutes=settings.video_slot_minutes,
        video_booking_lead_minutes=settings.video_booking_lead_minutes,
        video_booking_horizon_days=settings.video_booking_horizon_days,
        video_blackout_dates=[day.isoformat() for day in settings.video_blackout_dates],
        facility_kind=settings.facility_kind.value,
        average_daily_population=settings.average_daily_population,
    )
