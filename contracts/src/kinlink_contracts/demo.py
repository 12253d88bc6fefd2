"""Demo facilities and residents for the embedded mode and tests.

The embedded mode configures and books them through the identity service; tests and benchmarks
of other services feed the same settings to them as identity would, in `FacilityConfigured`.
"""

from __future__ import annotations

from datetime import time
from typing import NamedTuple
from uuid import UUID
from uuid import uuid5

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import VisitingWindow
from kinlink_contracts.facility_settings import Weekday
from kinlink_contracts.identity import CardAdded
from kinlink_contracts.identity import FacilityConfigured

FAC_DEMO = "FAC-DEMO"
FAC_EAST = "FAC-EAST"

WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)


def _video_hours(
    days: tuple[Weekday, ...], *windows: tuple[time, time]
) -> tuple[VisitingWindow, ...]:
    """The same visiting windows on each of `days`, local to the facility."""
    return tuple(
        VisitingWindow(day=day, opens=opens, closes=closes)
        for day in days
        for opens, closes in windows
    )


DEMO_FACILITIES: dict[str, FacilitySettings] = {
    FAC_DEMO: FacilitySettings(
        name="Demo County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(
            FeeTier(up_to_cents=2000, fee_cents=295),
            FeeTier(up_to_cents=10000, fee_cents=595),
            FeeTier(up_to_cents=30000, fee_cents=995),
        ),
        sms_available=True,
        mms_available=True,
        visiting_hours=_video_hours(tuple(Weekday), (time(8), time(11, 30)), (time(13), time(20))),
        video_stations=4,
        average_daily_population=80,
    ),
    FAC_EAST: FacilitySettings(
        name="Eastern Regional Detention Center",
        time_zone="America/New_York",
        weekly_deposit_limit_cents=20000,
        deposit_fee_tiers=(
            FeeTier(up_to_cents=5000, fee_cents=350),
            FeeTier(up_to_cents=20000, fee_cents=750),
        ),
        messaging_funding_options_cents=(1500, 2500),
        message_price_cents=35,
        image_price_cents=75,
        video_price_per_minute_cents=20,
        visiting_hours=_video_hours(WEEKDAYS, (time(9), time(12)), (time(14), time(18))),
        video_stations=2,
    ),
}


class DemoResident(NamedTuple):
    facility_id: str
    resident_id: str
    first_name: str
    last_name: str


DEMO_RESIDENTS = (
    DemoResident(FAC_DEMO, "R-1001", "Ada", "Lovelace"),
    DemoResident(FAC_DEMO, "R-1002", "Grace", "Hopper"),
    DemoResident(FAC_DEMO, "R-1003", "Katherine", "Johnson"),
    DemoResident(FAC_EAST, "R-2001", "Alan", "Turing"),
    DemoResident(FAC_EAST, "R-2002", "Edsger", "Dijkstra"),
)


def facility_configured(
    facility_id: str, settings: FacilitySettings, revision: int = 1
) -> Envelope:
    """The event identity publishes when it configures the facility, for running a service
    without identity."""
    return Envelope.wrap(
        FacilityConfigured(facility_id=facility_id, revision=revision, settings=settings),
        key=facility_id,
        producer="identity",
        correlation_id=f"configure-{facility_id}",
    )


def resident_booked(facility_id: str, resident_id: str) -> Envelope:
    """The event identity publishes when it books the resident, for running a service without
    identity."""
    booked = ResidentBooked(
        facility_id=facility_id, resident_id=resident_id, first_name="Demo", last_name="Resident"
    )
    return Envelope.wrap(
        booked, key=resident_id, producer="identity", correlation_id=f"book-{resident_id}"
    )


def card_added(account_id: str, payment_method: str) -> Envelope:
    """The event identity publishes when the account adds the card (a processor token), for
    running a service without identity."""
    account = UUID(account_id)
    added = CardAdded(
        account_id=account,
        card_id=uuid5(account, payment_method),
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2034,
        payment_method=payment_method,
    )
    return Envelope.wrap(added, key=account_id, producer="identity", correlation_id="")
