"""The deposit week: Sunday 00:00 to Saturday 23:59:59 in the facility's time zone."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo


def deposit_week_start(at: datetime, time_zone: ZoneInfo) -> date:
    """The Sunday (a local date) that starts the week `at` falls in, at the facility."""
    if at.tzinfo is None:
        raise ValueError("times inside Kinlink are timezone-aware")
    local_day = at.astimezone(time_zone).date()
    days_since_sunday = (local_day.weekday() + 1) % 7  # Monday is 0, Sunday is 6
    return local_day - timedelta(days=days_since_sunday)
