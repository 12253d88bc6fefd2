"""What the video visit pages say of a visit: its times on the visitor's clock and on the
facility's (said both ways when they differ: the FAQ's time-zone problem), its status, why it
was cancelled or ended, and what it cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.dates import format_time
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.visitation.v1 import visitation_pb2 as pb
from starlette.requests import Request

from kinlink_portal.i18n import current_language
from kinlink_portal.i18n import gettext
from kinlink_portal.sentences import N_
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.time_zones import time_zone_name

STATUS = {
    pb.VISIT_STATUS_SCHEDULED: N_("Scheduled"),
    pb.VISIT_STATUS_IN_PROGRESS: N_("In progress"),
    pb.VISIT_STATUS_INTERRUPTED: N_("Interrupted: waiting for both sides to be back"),
    pb.VISIT_STATUS_ENDED: N_("Ended"),
    pb.VISIT_STATUS_CANCELLED: N_("Cancelled"),
    pb.VISIT_STATUS_MISSED: N_("Missed: nobody connected"),
}
CANCELLED_BY = {
    pb.CANCELLED_BY_VISITOR: N_("You cancelled this visit."),
    pb.CANCELLED_BY_FACILITY: N_("The facility cancelled this visit."),
    pb.CANCELLED_BY_RESIDENT_TRANSFERRED: N_(
        "The visit was cancelled because the resident was transferred."
    ),
    pb.CANCELLED_BY_RESIDENT_RELEASED: N_(
        "The visit was cancelled because the resident was released."
    ),
}
ENDED_BECAUSE = {
    pb.END_REASON_WINDOW_OVER: N_("The visit's time was over."),
    pb.END_REASON_VISITOR_ENDED: N_("You ended the visit."),
    pb.END_REASON_OFFICER_ENDED: N_("An officer ended the visit."),
    pb.END_REASON_CREDIT_EXHAUSTED: N_("Your messaging balance ran out."),
    pb.END_REASON_RESIDENT_LEFT: N_("The resident left the facility."),
}
KINDS = {
    pb.VISIT_KIND_REMOTE: N_("From home"),
    pb.VISIT_KIND_IN_FACILITY: N_("In facility"),
}
# The service's join window opens this long before the start (GetJoinTicket).
JOIN_OPENS_BEFORE = timedelta(minutes=5)
UNDER_WAY = frozenset({pb.VISIT_STATUS_IN_PROGRESS, pb.VISIT_STATUS_INTERRUPTED})
OVER = frozenset({pb.VISIT_STATUS_ENDED, pb.VISIT_STATUS_CANCELLED, pb.VISIT_STATUS_MISSED})


def moment(at: Timestamp) -> datetime:
    return datetime.fromtimestamp(at.seconds, UTC)


@dataclass(frozen=True)
class VisitClock:
    """The visitor's time zone (their account's) and the facility's: a time in each."""

    visitor_zone: str
    facility_zone: str

    def facility_time(self, at: Timestamp | datetime) -> str:
        return _said(at, self.facility_zone)

    def visitor_time(self, at: Timestamp | datetime) -> str:
        return _said(at, self.visitor_zone)

    def facility_hours(self, starts: Timestamp, ends: Timestamp) -> str:
        return _span(starts, ends, self.facility_zone)

    def visitor_hours(self, starts: Timestamp, ends: Timestamp) -> str:
        return _span(starts, ends, self.visitor_zone)

    def differ(self, at: Timestamp | datetime) -> bool:
        """The two clocks show different times at `at` (different zones, or one keeping
        daylight saving time and the other not)."""
        when = moment(at) if isinstance(at, Timestamp) else at
        return (
            when.astimezone(ZoneInfo(self.visitor_zone)).utcoffset()
            != when.astimezone(ZoneInfo(self.facility_zone)).utcoffset()
        )

    def visitor_zone_name(self) -> str:
        return time_zone_name(self.visitor_zone)

    def facility_zone_name(self) -> str:
        return time_zone_name(self.facility_zone)

    def facility_today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.facility_zone)).date()


def _said(at: Timestamp | datetime, zone: str) -> str:
    """e.g. Sunday, March 8, 2026, 3:00 AM CDT: the date, the time and the zone's abbreviation,
    which says which side of a daylight-saving change the time is on."""
    local = (moment(at) if isinstance(at, Timestamp) else at).astimezone(ZoneInfo(zone))
    language = current_language()
    day = format_date(local, "full", locale=language)
    return f"{day}, {format_time(local, 'short', locale=language)} {local.tzname()}"


def _span(starts: Timestamp, ends: Timestamp, zone: str) -> str:
    """e.g. Sunday, March 8, 2026, 3:00 AM CDT to 3:15 AM CDT."""
    local_end = moment(ends).astimezone(ZoneInfo(zone))
    until = f"{format_time(local_end, 'short', locale=current_language())} {local_end.tzname()}"
    return gettext("%(start)s to %(end)s") % {"start": _said(starts, zone), "end": until}


async def visitor_zone(request: Request) -> str:
    """The time zone of the signed-in person's account (where they see visits' times)."""
    identity = services(request).identity
    account = await call_signed_in(request, identity.GetAccount, identity_pb.GetAccountRequest())
    return account.time_zone or "UTC"


async def clock_for(request: Request, facility_zone: str) -> VisitClock:
    return VisitClock(await visitor_zone(request), facility_zone or "UTC")


def now_of(request: Request) -> datetime:
    return datetime.fromtimestamp(request.app.state.clock(), UTC)


def may_connect(visit: pb.Visit, now: datetime) -> bool:
    """Connect is offered from 5 minutes before the start to the end of a visit not over."""
    if visit.status in OVER:
        return False
    return moment(visit.starts_at) - JOIN_OPENS_BEFORE <= now < moment(visit.ends_at)


def may_cancel(visit: pb.Visit, now: datetime) -> bool:
    """The visitor cancels their own visit before it starts."""
    return visit.status == pb.VISIT_STATUS_SCHEDULED and now < moment(visit.starts_at)


def minutes_covered(balance_cents: int, price_per_minute_cents: int) -> int | None:
    """How many minutes a balance pays for at a price; None for a free visit."""
    if price_per_minute_cents <= 0:
        return None
    return max(balance_cents, 0) // price_per_minute_cents
