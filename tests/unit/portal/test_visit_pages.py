"""The Video Visits pages against a stand-in visitation service: times on the visitor's clock and
the facility's (both said when they differ, daylight-saving days right), the price or "In
Facility calls do not cost", what the wallet covers, booking once per confirmation, Cancel,
Connect and Request a Refund only when allowed, the connect page's ticket and refusals, and the
console's station day, ending a visit, and the operators' refund decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import PermissionDenied
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import refusal
from tests.unit.portal.conftest import staff_portal
from tests.unit.portal.family import family_portal
from tests.unit.portal.family import wallet
from tests.unit.portal.test_commissary_pages import asked
from tests.unit.portal.test_commissary_pages import text_of
from tests.unit.portal.test_message_pages import ADA

VISIT_ID = "0c0ffee0-0000-4000-8000-000000000001"
REQUEST_ID = "0c0ffee0-0000-4000-8000-000000000002"
CHICAGO, NEW_YORK = "America/Chicago", "America/New_York"
# Sunday 2026-03-08, Chicago's spring-forward day: 2:00 AM CST became 3:00 AM CDT at 08:00 UTC.
SPRING_FORWARD_3AM = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
# Sunday 2026-11-01, the fall-back day: 1:30 AM happens twice, CDT (06:30 UTC) then CST.
FIRST_130AM, SECOND_130AM = (datetime(2026, 11, 1, h, 30, tzinfo=UTC) for h in (6, 7))
# The portal's clock in these tests: 2026-03-01 12:00 UTC, a week before the visits.
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def stamp(at: datetime) -> Timestamp:
    return Timestamp(seconds=int(at.timestamp()))


def visit(starts: datetime = SPRING_FORWARD_3AM, **changes: Any) -> pb.Visit:
    fields: dict[str, Any] = {
        "visit_id": VISIT_ID,
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "kind": pb.VISIT_KIND_REMOTE,
        "station": 2,
        "starts_at": stamp(starts),
        "ends_at": Timestamp(seconds=int(starts.timestamp()) + 15 * 60),
        "slot_minutes": 15,
        "price_per_minute_cents": 25,
        "facility_time_zone": CHICAGO,
        "status": pb.VISIT_STATUS_SCHEDULED,
    }
    return pb.Visit(**{**fields, **changes})


def facility(time_zone: str = CHICAGO) -> identity_pb.Facility:
    return identity_pb.Facility(
        facility_id="FAC-DEMO",
        settings=identity_pb.FacilitySettings(
            name="Demo County Jail",
            time_zone=time_zone,
            video_stations=3,
            video_price_per_minute_cents=25,
            video_slot_minutes=[15, 30],
            video_booking_horizon_days=14,
        ),
    )


@pytest.fixture
def visitation() -> StandInIdentity:
    return StandInIdentity({"ListRefundRequests": pb.ListRefundRequestsResponse()})


def signed_in_family(
    identity: StandInIdentity, visitation: StandInIdentity, time_zone: str
) -> Iterator[TestClient]:
    ledger = StandInIdentity({"GetWallet": wallet(1000)})
    for client in family_portal(identity, ledger):
        client.app.state.services.visitation = visitation  # type: ignore[attr-defined]
        client.app.state.clock = lambda: NOW.timestamp()  # type: ignore[attr-defined]
        identity.answers["GetAccount"] = identity_pb.Account(time_zone=time_zone)
        identity.answers["SearchResidents"] = identity_pb.SearchResidentsResponse(residents=[ADA])
        identity.answers["GetFacility"] = facility()
        yield client


@pytest.fixture
def family(identity: StandInIdentity, visitation: StandInIdentity) -> Iterator[TestClient]:
    """Ana, whose account is on New York's time, visiting a facility on Chicago's."""
    yield from signed_in_family(identity, visitation, NEW_YORK)


@pytest.fixture
def neighbour(identity: StandInIdentity, visitation: StandInIdentity) -> Iterator[TestClient]:
    """A family member on the facility's own time."""
    yield from signed_in_family(identity, visitation, CHICAGO)


def test_a_visit_is_shown_on_both_clocks_when_they_differ(
    family: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["GetVisit"] = visit()
    page = text_of(family.get(f"/visits/{VISIT_ID}").text)
    assert "Sunday, March 8, 2026, 4:00 AM EDT to 4:15 AM EDT" in page  # hers
    assert "At the facility: Sunday, March 8, 2026, 3:00 AM CDT to 3:15 AM CDT" in page
    assert "which shows other times" in page
    assert "$0.25 a connected minute" in page
    assert "Your balance of $10.00 covers 40 minutes at this facility's price." in page


def test_on_the_facilitys_own_clock_a_visit_is_shown_once(
    neighbour: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["GetVisit"] = visit()
    page = text_of(neighbour.get(f"/visits/{VISIT_ID}").text)
    assert "Sunday, March 8, 2026, 3:00 AM CDT to 3:15 AM CDT" in page
    assert "At the facility:" not in page
    assert "the same as the facility's" in page


def test_the_fall_back_days_two_half_past_ones_are_told_apart(
    neighbour: TestClient, visitation: StandInIdentity
) -> None:
    slots = [
        pb.Slot(starts_at=stamp(at), ends_at=Timestamp(seconds=int(at.timestamp()) + 900))
        for at in (FIRST_130AM, SECOND_130AM)
    ]
    visitation.answers["ListAvailability"] = pb.Availability(
        facility_id="FAC-DEMO", date="2026-11-01", facility_time_zone=CHICAGO, slots=slots
    )
    page = neighbour.get(
        "/visits/schedule/FAC-DEMO/R-1001?kind=remote&slot_minutes=15&date=2026-11-01"
    )
    said = text_of(page.text)
    assert "1:30 AM CDT to 1:45 AM CDT" in said and "1:30 AM CST to 1:45 AM CST" in said
    # Each slot's link books its own instant.
    assert f"starts_at={int(FIRST_130AM.timestamp())}" in page.text
    assert f"starts_at={int(SECOND_130AM.timestamp())}" in page.text
    availability = asked(visitation, "ListAvailability")
    assert (availability.date, availability.slot_minutes, availability.kind) == (
        "2026-11-01",
        15,
        pb.VISIT_KIND_REMOTE,
    )


def test_the_day_picker_offers_the_facilitys_slot_lengths_within_its_horizon(
    family: TestClient,
) -> None:
    page = family.get("/visits/schedule/FAC-DEMO/R-1001").text
    assert 'min="2026-03-01" max="2026-03-15"' in page
    assert '<option value="15" selected>15 minutes</option>' in page
    assert '<option value="30">30 minutes</option>' in page
    assert "In Facility calls do not cost." in page


def test_a_closed_day_says_why(family: TestClient, visitation: StandInIdentity) -> None:
    visitation.answers["ListAvailability"] = pb.Availability(closed_reason="blackout")
    page = family.get("/visits/schedule/FAC-DEMO/R-1001?date=2026-03-04").text
    assert "The facility has no visits on this day." in page


def confirmation(family: TestClient, kind: str = "remote") -> dict[str, str]:
    query = f"kind={kind}&slot_minutes=15&starts_at={int(SPRING_FORWARD_3AM.timestamp())}"
    page = family.get(f"/visits/schedule/FAC-DEMO/R-1001/confirm?{query}").text
    fields = dict(
        (name, value)
        for name, value in __import__("re").findall(r'name="([a-z_]+)" value="([^"]*)"', page)
    )
    return {**fields, "csrf_token": csrf_of(page)}


def test_booking_sends_the_visit_once_per_confirmation(
    family: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["ScheduleVisit"] = visit()
    sent = confirmation(family)
    booked = family.post(
        "/visits/schedule/FAC-DEMO/R-1001/confirm", data=sent, follow_redirects=False
    )
    assert booked.headers["location"] == f"/visits/{VISIT_ID}?notice=scheduled"
    request = asked(visitation, "ScheduleVisit")
    assert request.visit_id == sent["visit_id"] and request.visit_id
    assert (request.kind, request.slot_minutes, request.starts_at.seconds) == (
        pb.VISIT_KIND_REMOTE,
        15,
        int(SPRING_FORWARD_3AM.timestamp()),
    )


def test_an_in_facility_visit_is_free_and_a_taken_slot_is_said(
    family: TestClient, visitation: StandInIdentity
) -> None:
    sent = confirmation(family, "in_facility")
    visitation.answers["ScheduleVisit"] = refusal(
        FailedPrecondition("no_station_free", "taken", field="starts_at")
    )
    page = family.post("/visits/schedule/FAC-DEMO/R-1001/confirm", data=sent)
    assert page.status_code == 400
    said = text_of(page.text)
    assert "In Facility calls do not cost." in said and "covers" not in said
    assert "This time was just taken" in said
    assert asked(visitation, "ScheduleVisit").kind == pb.VISIT_KIND_IN_FACILITY


def test_cancel_before_the_start_connect_in_the_window_refund_once_ended(
    family: TestClient, visitation: StandInIdentity
) -> None:
    later = visit()
    visitation.answers["GetVisit"] = later
    page = family.get(f"/visits/{VISIT_ID}").text
    assert f'action="/visits/{VISIT_ID}/cancel"' in page
    assert f"/visits/{VISIT_ID}/connect" not in page and "/refund" not in page

    soon = visit(starts=datetime(2026, 3, 1, 12, 4, tzinfo=UTC))  # starts in 4 minutes
    visitation.answers["GetVisit"] = soon
    page = family.get(f"/visits/{VISIT_ID}").text
    assert f'href="/visits/{VISIT_ID}/connect"' in page

    ended = visit(
        starts=datetime(2026, 2, 27, 12, 0, tzinfo=UTC),
        status=pb.VISIT_STATUS_ENDED,
        end_reason=pb.END_REASON_OFFICER_ENDED,
        end_note="Lockdown",
        charged_cents=75,
        minutes_charged=3,
        credited_cents=25,
    )
    visitation.answers["GetVisit"] = ended
    said = text_of(family.get(f"/visits/{VISIT_ID}").text)
    assert "An officer ended the visit." in said and "Lockdown" in said
    assert "$0.75 (3 minutes)" in said and "Credited to your account $0.25" in said
    page = family.get(f"/visits/{VISIT_ID}").text
    assert f'href="/visits/{VISIT_ID}/refund"' in page and "/cancel" not in page


def test_a_cancel_refused_is_said_on_the_visit(
    family: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["GetVisit"] = visit()
    visitation.answers["CancelVisit"] = refusal(
        FailedPrecondition("visit_not_cancellable", "started")
    )
    page = family.get(f"/visits/{VISIT_ID}").text
    answer = family.post(f"/visits/{VISIT_ID}/cancel", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 400
    assert "can no longer be cancelled" in text_of(answer.text)


def test_the_connect_page_joins_the_simulated_room_or_says_why_not(
    family: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["GetVisit"] = visit()
    visitation.answers["GetJoinTicket"] = refusal(FailedPrecondition("visit_not_open", "later"))
    refused = family.get(f"/visits/{VISIT_ID}/connect")
    assert refused.status_code == 400
    assert "from 5 minutes before" in text_of(refused.text)
    assert asked(visitation, "GetJoinTicket").side == pb.SIDE_VISITOR

    visitation.answers["GetJoinTicket"] = pb.JoinTicket(
        visit_id=VISIT_ID, url="simulated://rooms", token="t0ken", room=VISIT_ID
    )
    page = family.get(f"/visits/{VISIT_ID}/connect")
    assert 'data-provider="simulated"' in page.text and 'data-token="t0ken"' in page.text
    assert "livekit-client" not in page.text
    assert "camera=(self)" in page.headers["permissions-policy"]
    assert "connect-src 'self';" in page.headers["content-security-policy"]


def test_a_livekit_ticket_loads_the_client_and_may_reach_its_server_only(
    family: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["GetVisit"] = visit()
    visitation.answers["GetJoinTicket"] = pb.JoinTicket(
        visit_id=VISIT_ID, url="wss://video.kinlink.example", token="t0ken", room=VISIT_ID
    )
    page = family.get(f"/visits/{VISIT_ID}/connect")
    assert '<script src="/static/vendor/livekit-client.umd.js" defer>' in page.text
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self' wss://video.kinlink.example https://video.kinlink.example;" in policy
    assert "script-src 'self';" in policy


def test_a_refund_request_names_the_problem_once_per_form(
    family: TestClient, visitation: StandInIdentity
) -> None:
    visitation.answers["GetVisit"] = visit(status=pb.VISIT_STATUS_ENDED, charged_cents=100)
    form = family.get(f"/visits/{VISIT_ID}/refund").text
    said = text_of(form)
    assert "does not issue credits or refunds for problems that come from the caller's end" in said
    assert "your internet connection" in said and "within 72 hours" in said
    sent = {
        "csrf_token": csrf_of(form),
        "request_id": REQUEST_ID,
        "problem": "",
        "description": "It froze",
    }
    missing = family.post(f"/visits/{VISIT_ID}/refund", data=sent)
    assert missing.status_code == 400
    assert error_beside(missing.text, "problem") == "Choose what went wrong."
    visitation.answers["RequestRefund"] = pb.RefundRequest(request_id=REQUEST_ID)
    answer = family.post(
        f"/visits/{VISIT_ID}/refund", data={**sent, "problem": "dropped"}, follow_redirects=False
    )
    assert answer.headers["location"] == f"/visits/{VISIT_ID}?notice=refund_requested"
    request = asked(visitation, "RequestRefund")
    assert (request.request_id, request.problem, request.description) == (
        REQUEST_ID,
        pb.REFUND_PROBLEM_DROPPED,
        "It froze",
    )


# --- The console ---

OFFICER = identity_pb.Account(
    first_name="Olive", roles=["facility_officer"], facility_ids=["FAC-DEMO"]
)
OPERATOR = identity_pb.Account(first_name="Otto", roles=["operator"])


def console_of(
    identity: StandInIdentity, visitation: StandInIdentity, account: identity_pb.Account
) -> Iterator[TestClient]:
    identity.answers["GetFacility"] = facility()
    identity.answers["ListFacilities"] = identity_pb.ListFacilitiesResponse(facilities=[facility()])
    for client in staff_portal(identity, account):
        client.app.state.services.visitation = visitation  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def officer(identity: StandInIdentity, visitation: StandInIdentity) -> Iterator[TestClient]:
    yield from console_of(identity, visitation, OFFICER)


@pytest.fixture
def operator(identity: StandInIdentity, visitation: StandInIdentity) -> Iterator[TestClient]:
    yield from console_of(identity, visitation, OPERATOR)


def test_the_station_day_ends_a_visit_only_with_a_reason(
    officer: TestClient, visitation: StandInIdentity
) -> None:
    under_way = visit(status=pb.VISIT_STATUS_IN_PROGRESS, connected_seconds=130)
    visitation.answers["ListStationDay"] = pb.StationDay(
        facility_id="FAC-DEMO",
        date="2026-03-08",
        facility_time_zone=CHICAGO,
        stations=[
            pb.StationSchedule(station=1),
            pb.StationSchedule(station=2, visits=[under_way]),
        ],
    )
    page = officer.get("/console/facilities/FAC-DEMO/visits?date=2026-03-08")
    said = text_of(page.text)
    assert "Station 1 No visit at this station on this day." in said
    assert "Station 2 Sunday, March 8, 2026, 3:00 AM CDT to 3:15 AM CDT" in said
    assert "3 minutes" in said
    assert asked(visitation, "ListStationDay").date == "2026-03-08"
    end = f"/console/facilities/FAC-DEMO/visits/{VISIT_ID}/end?date=2026-03-08"
    token = csrf_of(page.text)
    refused = officer.post(end, data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 400
    assert (
        error_beside(refused.text, f"reason-{VISIT_ID}")
        == "Give the reason: the family is shown it."
    )
    visitation.answers["EndVisit"] = visit(status=pb.VISIT_STATUS_ENDED)
    ended = officer.post(
        end, data={"csrf_token": token, "reason": "Lockdown"}, follow_redirects=False
    )
    assert ended.headers["location"] == (
        "/console/facilities/FAC-DEMO/visits?date=2026-03-08&notice=ended"
    )
    assert asked(visitation, "EndVisit").reason == "Lockdown"


def test_an_operator_approves_a_refund_up_to_what_was_charged(
    operator: TestClient, visitation: StandInIdentity
) -> None:
    pending = pb.RefundRequest(
        request_id=REQUEST_ID,
        visit_id=VISIT_ID,
        facility_id="FAC-DEMO",
        problem=pb.REFUND_PROBLEM_DROPPED,
        description="It froze",
        status=pb.REFUND_STATUS_PENDING,
        due_by=stamp(datetime(2026, 3, 4, 12, 0, tzinfo=UTC)),
    )
    visitation.answers["ListRefundRequests"] = pb.ListRefundRequestsResponse(requests=[pending])
    visitation.answers["GetVisit"] = visit(charged_cents=300, credited_cents=50)
    page = operator.get("/console/video-refunds")
    said = text_of(page.text)
    assert "The call dropped" in said and "It froze" in said and "At most $2.50" in said
    assert asked(visitation, "ListRefundRequests").status == pb.REFUND_STATUS_PENDING
    decide = f"/console/video-refunds/{REQUEST_ID}/decision"
    sent = {"csrf_token": csrf_of(page.text), "amount_cents": "2.50", "reason": "", "note": ""}
    visitation.answers["DecideRefundRequest"] = pending
    approved = operator.post(decide, data={**sent, "approve": "yes"}, follow_redirects=False)
    assert approved.headers["location"] == "/console/video-refunds?notice=approved"
    decision = asked(visitation, "DecideRefundRequest")
    assert (decision.approve, decision.amount_cents) == (True, 250)

    visitation.answers["DecideRefundRequest"] = refusal(
        InvalidArgument("amount_above_refundable", "too much", field="amount_cents")
    )
    too_much = operator.post(decide, data={**sent, "amount_cents": "9.00", "approve": "yes"})
    assert too_much.status_code == 400
    assert "more than the visit was charged" in text_of(too_much.text)


def test_officers_cannot_open_the_refund_queue(officer: TestClient) -> None:
    assert officer.get("/console/video-refunds").status_code == 403


# --- The embedded mode's simulated room ---


class StandInRoom:
    """The simulated provider as the portal sees it: joins with the tokens it issued."""

    def __init__(self) -> None:
        self.joined: list[tuple[str, datetime]] = []

    def join(self, token: str, at: datetime) -> object:
        if token != "sim-t0ken":
            raise PermissionDenied("video_token_refused", "unknown token")
        self.joined.append((token, at))
        return token


def test_the_connect_page_joins_the_simulated_room_with_its_token(
    family: TestClient, visitation: StandInIdentity
) -> None:
    room = StandInRoom()
    family.app.state.video_room = room  # type: ignore[attr-defined]
    visitation.answers["GetVisit"] = visit()
    visitation.answers["GetJoinTicket"] = pb.JoinTicket(
        visit_id=VISIT_ID, url="simulated://video", token="sim-t0ken", room=VISIT_ID
    )
    page = family.get(f"/visits/{VISIT_ID}/connect").text
    token = csrf_of(page)
    joined = family.post("/video-room/join", data={"csrf_token": token, "token": "sim-t0ken"})
    assert joined.json() == {"joined": True}
    assert room.joined == [("sim-t0ken", NOW)]  # on the portal's clock
    refused = family.post("/video-room/join", data={"csrf_token": token, "token": "forged"})
    assert (refused.status_code, refused.json()) == (403, {"refused": "video_token_refused"})
    without_csrf = family.post("/video-room/join", data={"token": "sim-t0ken"})
    assert without_csrf.status_code == 403 and len(room.joined) == 1


def test_without_a_simulated_provider_there_is_no_room_to_join(family: TestClient) -> None:
    page = family.get("/visits/video-test").text
    answer = family.post("/video-room/join", data={"csrf_token": csrf_of(page), "token": "t"})
    assert answer.status_code == 404
