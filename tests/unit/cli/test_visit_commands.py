"""The `kinlink visit ...` commands against a stand-in visitation service served over gRPC: each
verb sends the request its options say with the caller's token, shows the answer in lines (the
terminal's time, and the facility's when it differs; money in dollars) or as JSON, and a
refusal by its stable code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from click.testing import Result
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_cli.main import cli
from kinlink_kit.errors import FailedPrecondition

from tests.unit.cli.stand_in import StandIn
from tests.unit.cli.stand_in import served as served_stand_in

VISIT_ID = "0c0ffee0-0000-4000-8000-000000000001"
REQUEST_ID = "0c0ffee0-0000-4000-8000-000000000002"
# 2026-03-08 08:00 UTC: 3:00 AM CDT in Chicago (just after spring forward), 4:00 AM EDT in New York.
SPRING_FORWARD_3AM = 1_772_956_800


@pytest.fixture
def served() -> Iterator[tuple[StandIn, str]]:
    with served_stand_in(
        visitation_pb2_grpc.VisitationServiceServicer,
        visitation_pb2_grpc.add_VisitationServiceServicer_to_server,
    ) as serving:
        yield serving


@pytest.fixture
def stand_in(served: tuple[StandIn, str]) -> StandIn:
    return served[0]


def runner(served: tuple[StandIn, str], tmp_path: Path, zone: str) -> Any:
    def run(*args: str) -> Result:
        env = {
            "KINLINK_TARGET": served[1],
            "KINLINK_TOKEN": "family-token",
            "XDG_CONFIG_HOME": str(tmp_path),
            "TZ": zone,
        }
        return CliRunner(env=env).invoke(cli, ["visit", *args])

    return run


@pytest.fixture
def kinlink(served: tuple[StandIn, str], tmp_path: Path) -> Any:
    """A terminal in New York; the facility is in Chicago."""
    return runner(served, tmp_path, "America/New_York")


def visit(**changes: Any) -> pb.Visit:
    fields: dict[str, Any] = {
        "visit_id": VISIT_ID,
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "kind": pb.VISIT_KIND_REMOTE,
        "station": 2,
        "starts_at": Timestamp(seconds=SPRING_FORWARD_3AM),
        "slot_minutes": 15,
        "price_per_minute_cents": 25,
        "facility_time_zone": "America/Chicago",
        "status": pb.VISIT_STATUS_SCHEDULED,
    }
    return pb.Visit(**{**fields, **changes})


def sent(stand_in: StandIn, method: str) -> Any:
    name, request, token = stand_in.calls[-1]
    assert (name, token) == (method, "Bearer family-token")
    return request


def test_availability_shows_both_clocks_and_the_start_to_book(
    kinlink: Any, stand_in: StandIn
) -> None:
    slot = pb.Slot(
        starts_at=Timestamp(seconds=SPRING_FORWARD_3AM),
        ends_at=Timestamp(seconds=SPRING_FORWARD_3AM + 900),
        stations_free=2,
    )
    stand_in.answers["ListAvailability"] = pb.Availability(
        facility_id="FAC-DEMO",
        date="2026-03-08",
        facility_time_zone="America/Chicago",
        slots=[slot],
        slot_minutes=15,
        price_per_minute_cents=25,
    )
    result = kinlink(
        "availability", "--facility", "FAC-DEMO", "--resident", "R-1001", "--date", "2026-03-08",
        "--in-facility",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2026-03-08 04:00 EDT (facility 2026-03-08 03:00 CDT)" in result.output
    assert "--starts 2026-03-08T08:00:00Z" in result.output
    request = sent(stand_in, "ListAvailability")
    assert (request.date, request.kind) == ("2026-03-08", pb.VISIT_KIND_IN_FACILITY)


def test_schedule_books_once_under_its_client_key(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["ScheduleVisit"] = visit()
    result = kinlink(
        "schedule", "--facility", "FAC-DEMO", "--resident", "R-1001",
        "--starts", "2026-03-08T03:00-05:00", "--minutes", "15", "--client-key", VISIT_ID,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Visit {VISIT_ID}" in result.output and "$0.25/min  scheduled" in result.output
    request = sent(stand_in, "ScheduleVisit")
    assert (request.visit_id, request.kind, request.slot_minutes) == (
        VISIT_ID,
        pb.VISIT_KIND_REMOTE,
        15,
    )
    assert request.starts_at.seconds == SPRING_FORWARD_3AM


def test_a_start_without_an_offset_is_on_the_terminals_clock(
    served: tuple[StandIn, str], stand_in: StandIn, tmp_path: Path
) -> None:
    stand_in.answers["ScheduleVisit"] = visit()
    in_chicago = runner(served, tmp_path, "America/Chicago")
    result = in_chicago(
        "schedule", "--facility", "FAC-DEMO", "--resident", "R-1001",
        "--starts", "2026-03-08T03:00", "--minutes", "15", "--client-key", VISIT_ID,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sent(stand_in, "ScheduleVisit").starts_at.seconds == SPRING_FORWARD_3AM
    assert "2026-03-08 03:00 CDT  15 min" in result.output  # one clock: the same as the facility's


def test_a_refusal_is_said_by_its_code(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["CancelVisit"] = FailedPrecondition("visit_not_cancellable", "It started.")
    result = kinlink("cancel", VISIT_ID)
    assert result.exit_code == 1
    assert "error: visit_not_cancellable: It started." in result.output


def test_an_officer_ends_a_visit_with_a_reason_and_sees_the_day(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["EndVisit"] = visit(
        status=pb.VISIT_STATUS_ENDED,
        end_reason=pb.END_REASON_OFFICER_ENDED,
        end_note="Lockdown",
        charged_cents=75,
        minutes_charged=3,
    )
    result = kinlink("end", VISIT_ID, "--reason", "Lockdown")
    assert result.exit_code == 0, result.output
    assert "ended (an officer ended it)" in result.output
    assert "charged $0.75 for 3 min" in result.output and "Lockdown" in result.output
    assert sent(stand_in, "EndVisit").reason == "Lockdown"

    stand_in.answers["ListStationDay"] = pb.StationDay(
        facility_id="FAC-DEMO",
        date="2026-03-08",
        facility_time_zone="America/Chicago",
        stations=[pb.StationSchedule(station=1), pb.StationSchedule(station=2, visits=[visit()])],
    )
    result = kinlink("day", "--facility", "FAC-DEMO", "--date", "2026-03-08")
    assert result.exit_code == 0, result.output
    assert "Station 1\n  no visit\nStation 2\n  2026-03-08 03:00 CDT" in result.output


def test_join_gives_the_ticket_of_the_side_asked(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["GetJoinTicket"] = pb.JoinTicket(
        visit_id=VISIT_ID, url="wss://video.example", token="t0ken", room=VISIT_ID
    )
    result = kinlink("join", VISIT_ID, "--station", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["token"] == "t0ken"
    assert sent(stand_in, "GetJoinTicket").side == pb.SIDE_STATION


def test_refund_requested_then_approved_in_dollars(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["RequestRefund"] = pb.RefundRequest(
        request_id=REQUEST_ID, visit_id=VISIT_ID, status=pb.REFUND_STATUS_PENDING,
        problem=pb.REFUND_PROBLEM_DROPPED, due_by=Timestamp(seconds=SPRING_FORWARD_3AM),
    )  # fmt: skip
    result = kinlink(
        "refund", VISIT_ID, "--problem", "dropped", "--description", "It froze",
        "--client-key", REQUEST_ID,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "dropped  pending  due 2026-03-08 04:00 EDT" in result.output
    assert "issued as a credit to your account" in result.output
    request = sent(stand_in, "RequestRefund")
    assert (request.request_id, request.problem) == (REQUEST_ID, pb.REFUND_PROBLEM_DROPPED)

    stand_in.answers["DecideRefundRequest"] = pb.RefundRequest(
        request_id=REQUEST_ID, status=pb.REFUND_STATUS_APPROVED, amount_cents=150
    )
    result = kinlink("decide", REQUEST_ID, "--approve", "1.50")
    assert result.exit_code == 0, result.output
    assert "approved  credited $1.50" in result.output
    decision = sent(stand_in, "DecideRefundRequest")
    assert (decision.approve, decision.amount_cents) == (True, 150)
    both = kinlink("decide", REQUEST_ID, "--approve", "1.50", "--deny", "caller_side")
    assert both.exit_code == 2 and "either --approve AMOUNT or --deny REASON" in both.output
