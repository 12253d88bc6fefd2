"""The time zones a family member chooses from (identity accepts any IANA name)."""

from __future__ import annotations

from kinlink_portal.i18n import gettext
from kinlink_portal.sentences import N_

US_TIME_ZONES = (
    ("America/New_York", N_("Eastern time (New York)")),
    ("America/Chicago", N_("Central time (Chicago)")),
    ("America/Denver", N_("Mountain time (Denver)")),
    ("America/Phoenix", N_("Mountain time without daylight saving (Phoenix)")),
    ("America/Los_Angeles", N_("Pacific time (Los Angeles)")),
    ("America/Anchorage", N_("Alaska time (Anchorage)")),
    ("Pacific/Honolulu", N_("Hawaii time (Honolulu)")),
)


def time_zone_options() -> list[tuple[str, str]]:
    return [(name, gettext(label)) for name, label in US_TIME_ZONES]


def time_zone_name(time_zone: str) -> str:
    """A zone's name in the visitor's language; a zone not in our list, as identity keeps it."""
    return dict(time_zone_options()).get(time_zone, time_zone)
