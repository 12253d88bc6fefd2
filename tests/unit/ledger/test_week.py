from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from kinlink_ledger.domain.week import deposit_week_start

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("utc_moment", "expected_sunday"),
    [
        # Saturday 23:59:59 local is still the old week; Sunday 00:00 local starts the new one.
        (datetime(2026, 11, 29, 5, 59, 59, tzinfo=UTC), date(2026, 11, 22)),
        (datetime(2026, 11, 29, 6, 0, 0, tzinfo=UTC), date(2026, 11, 29)),
        # In UTC it is already Sunday, in Chicago still Saturday evening.
        (datetime(2026, 11, 29, 2, 0, tzinfo=UTC), date(2026, 11, 22)),
        # Daylight saving ends on Sunday 2026-11-01 at 02:00 local: midnight is CDT (UTC-5).
        (datetime(2026, 11, 1, 4, 59, 59, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 11, 1, 5, 0, 0, tzinfo=UTC), date(2026, 11, 1)),
        # Daylight saving starts on Sunday 2026-03-08: midnight is still CST (UTC-6).
        (datetime(2026, 3, 8, 5, 59, 59, tzinfo=UTC), date(2026, 3, 1)),
        (datetime(2026, 3, 8, 6, 0, 0, tzinfo=UTC), date(2026, 3, 8)),
    ],
)
def test_the_week_runs_sunday_to_saturday_in_the_facility_time_zone(
    utc_moment: datetime, expected_sunday: date
) -> None:
    assert deposit_week_start(utc_moment, CHICAGO) == expected_sunday


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deposit_week_start(datetime(2026, 11, 25, 12, 0), CHICAGO)
