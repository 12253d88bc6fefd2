"""When a facility's orders post, in its own time zone, and what a posting run records."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time

from kinlink_commissary.domain.posting_run import PostingRun
from kinlink_commissary.domain.posting_run import due_run_date
from kinlink_commissary.domain.posting_run import local_run_date
from kinlink_commissary.domain.posting_run import next_posting

CHICAGO = "America/Chicago"
SIX = time(6, 0)


def test_a_run_is_due_on_the_posting_day_from_the_posting_time_in_local_time() -> None:
    # Monday 7 December 2026, 06:00 in Chicago is 12:00 UTC.
    assert due_run_date("monday", SIX, CHICAGO, datetime(2026, 12, 7, 11, 59, tzinfo=UTC)) is None
    assert due_run_date("monday", SIX, CHICAGO, datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == date(
        2026, 12, 7
    )
    # 02:00 UTC on Tuesday is still Monday evening in Chicago.
    assert due_run_date("monday", SIX, CHICAGO, datetime(2026, 12, 8, 2, 0, tzinfo=UTC)) == date(
        2026, 12, 7
    )
    assert due_run_date("tuesday", SIX, CHICAGO, datetime(2026, 12, 8, 2, 0, tzinfo=UTC)) is None


def test_the_next_posting_is_this_week_or_next() -> None:
    assert next_posting("monday", SIX, CHICAGO, datetime(2026, 12, 7, 11, 0, tzinfo=UTC)) == (
        datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    )
    assert next_posting("monday", SIX, CHICAGO, datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == (
        datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
    )
    assert next_posting("friday", SIX, CHICAGO, datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == (
        datetime(2026, 12, 11, 12, 0, tzinfo=UTC)
    )


def test_a_run_is_named_by_the_facility_s_local_day_and_records_its_counts() -> None:
    at = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    run = PostingRun.start("FAC-1", local_run_date(CHICAGO, at), at)
    assert run.id == PostingRun.create_id("FAC-1", date(2026, 12, 7))
    assert not run.finished
    run.finish(5, 3, 1, 1, at)
    assert (run.orders_total, run.paid, run.incomplete, run.still_processing) == (5, 3, 1, 1)
    run.restart(at)
    assert not run.finished
    rebuilt = None
    for domain_event in run.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert vars(rebuilt) == vars(run)
