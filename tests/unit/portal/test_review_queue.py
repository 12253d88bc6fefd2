"""The console's review queue: a facility's waiting messages in the order messaging gives them
(oldest first) with thumbnails through the portal, approve, reject with a reason said beside its
field, a message another officer decided first, and officers of other facilities kept out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_portal.sentences import sentence
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import STAFF_CLOCK
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import refusal
from tests.unit.portal.conftest import staff_portal

QUEUE = "/console/facilities/FAC-EAST/review"
EAST = identity_pb.Facility(
    facility_id="FAC-EAST",
    settings=identity_pb.FacilitySettings(name="East Jail", time_zone="America/Chicago"),
)


def waiting(message_id: str, images: int = 0) -> pb.ReviewItem:
    return pb.ReviewItem(
        message=pb.Message(
            message_id=message_id,
            facility_id="FAC-EAST",
            resident_id="R-7",
            body=f"Body of {message_id}",
            status=pb.MESSAGE_STATUS_PENDING_REVIEW,
            sent_at=Timestamp(seconds=STAFF_CLOCK),
            images=[pb.ImageReference(index=n, width=640, height=480) for n in range(images)],
        ),
        thumbnails=[b"thumb"] * images,
    )


@pytest.fixture
def messaging() -> StandInIdentity:
    return StandInIdentity(
        {"ListReviewQueue": pb.ListReviewQueueResponse(items=[waiting("m-1", 2), waiting("m-2")])}
    )


@pytest.fixture
def officer(identity: StandInIdentity, messaging: StandInIdentity) -> Iterator[TestClient]:
    identity.answers["GetFacility"] = EAST
    identity.answers["ListFacilities"] = identity_pb.ListFacilitiesResponse(facilities=[EAST])
    account = identity_pb.Account(
        first_name="Olive", roles=["facility_officer"], facility_ids=["FAC-EAST"]
    )
    for client in staff_portal(identity, account):
        client.app.state.services.messaging = messaging  # type: ignore[attr-defined]
        yield client


def test_the_queue_shows_the_messages_in_the_order_given_with_thumbnails_through_the_portal(
    officer: TestClient, messaging: StandInIdentity
) -> None:
    page = officer.get(QUEUE).text
    assert re.findall(r'data-review="([^"]+)"', page) == ["m-1", "m-2"]
    assert "Body of m-1" in page
    assert re.findall(r'<img src="([^"]+)"', page) == [
        "/messages/m-1/images/0?size=thumbnail",
        "/messages/m-1/images/1?size=thumbnail",
    ]
    (asked,) = [request for name, request, _ in messaging.calls if name == "ListReviewQueue"]
    assert asked == pb.ListReviewQueueRequest(facility_id="FAC-EAST", page_size=20)
    assert '<a href="/console/facilities/FAC-EAST/review">' in officer.get("/console").text


def test_an_officer_approves_and_rejects_with_a_reason(
    officer: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["ApproveMessage"] = pb.Message(message_id="m-1")
    messaging.answers["RejectMessage"] = pb.Message(message_id="m-2")
    token = csrf_of(officer.get(QUEUE).text)
    approved = officer.post(
        f"{QUEUE}/m-1/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert approved.headers["location"] == f"{QUEUE}?notice=approved"
    rejected = officer.post(
        f"{QUEUE}/m-2/reject",
        data={"csrf_token": token, "reason": "No photos of other residents."},
        follow_redirects=False,
    )
    assert rejected.headers["location"] == f"{QUEUE}?notice=rejected"
    decisions = [(name, request) for name, request, _ in messaging.calls if "Message" in name]
    assert decisions == [
        ("ApproveMessage", pb.ApproveMessageRequest(message_id="m-1")),
        (
            "RejectMessage",
            pb.RejectMessageRequest(message_id="m-2", reason="No photos of other residents."),
        ),
    ]


def test_a_rejection_without_a_reason_is_said_beside_that_messages_reason(
    officer: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["RejectMessage"] = refusal(
        InvalidArgument("rejection_reason_missing", "why?", field="reason")
    )
    token = csrf_of(officer.get(QUEUE).text)
    page = officer.post(f"{QUEUE}/m-2/reject", data={"csrf_token": token, "reason": ""})
    assert page.status_code == 400
    assert error_beside(page.text, "reason-m-2") == sentence("rejection_reason_missing")
    assert 'id="reason-m-1-error"' not in page.text


def test_a_message_another_officer_decided_first_is_said_so(
    officer: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["ApproveMessage"] = refusal(
        FailedPrecondition("message_already_decided", "decided", field="message_id")
    )
    token = csrf_of(officer.get(QUEUE).text)
    page = officer.post(f"{QUEUE}/m-1/approve", data={"csrf_token": token})
    assert page.status_code == 400
    assert (
        "Another officer already approved or rejected this message: nothing was changed."
        in page.text
    )


def test_an_officer_of_another_facility_is_kept_out(
    identity: StandInIdentity, messaging: StandInIdentity
) -> None:
    account = identity_pb.Account(
        first_name="Wes", roles=["facility_officer"], facility_ids=["FAC-WEST"]
    )
    for client in staff_portal(identity, account):
        client.app.state.services.messaging = messaging  # type: ignore[attr-defined]
        assert client.get(QUEUE).status_code == 403
        token = csrf_of(client.get("/console").text)
        assert client.post(f"{QUEUE}/m-1/approve", data={"csrf_token": token}).status_code == 403
    assert [name for name, _, _ in messaging.calls] == []


def test_a_family_member_has_no_review_queue(identity: StandInIdentity) -> None:
    for client in staff_portal(identity, identity_pb.Account(roles=["family_member"])):
        assert client.get(QUEUE).status_code == 403


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_each_decision_is_refused_without_its_csrf_token(
    officer: TestClient, messaging: StandInIdentity, decision: str
) -> None:
    assert officer.post(f"{QUEUE}/m-1/{decision}", data={"reason": "x"}).status_code == 403
    assert [name for name, _, _ in messaging.calls] == []
