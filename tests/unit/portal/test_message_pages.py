"""The family's pages of messages: what a message costs said before sending, one client key per
compose page, each refusal beside its field, a collect message shown only once paid for, photos
served only through the portal, drafts and blocked residents; every form carries its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_portal.sentences import sentence
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import refusal
from tests.unit.portal.family import NOW
from tests.unit.portal.family import family_portal

COMPOSE = "/messages/write/FAC-DEMO/R-1001"
ADA = identity_pb.ResidentSummary(
    facility_id="FAC-DEMO",
    facility_name="Demo County Jail",
    resident_id="R-1001",
    first_name="Ada",
    last_name="Lovelace",
)
REVIEWED = identity_pb.FacilitySettings(
    name="Demo County Jail",
    time_zone="America/Chicago",
    message_price_cents=50,
    image_price_cents=125,
    review_policy="review_all",
    refund_rejected_messages=True,
    image_rules=identity_pb.ImageRules(max_per_message=2),
)
PHOTO = ("photo.jpg", b"\xff\xd8\xff a photo", "image/jpeg")
SECRET_BODY = "Only for the one who paid."


def message(message_id: str = "m-1", **fields: object) -> pb.Message:
    defaults: dict[str, object] = {
        "message_id": message_id,
        "direction": pb.MESSAGE_DIRECTION_TO_RESIDENT,
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "status": pb.MESSAGE_STATUS_PENDING_REVIEW,
        "sent_at": Timestamp(seconds=NOW),
    }
    return pb.Message(**{**defaults, **fields})


@pytest.fixture
def messaging() -> StandInIdentity:
    return StandInIdentity()


@pytest.fixture
def family(identity: StandInIdentity, messaging: StandInIdentity) -> Iterator[TestClient]:
    """Ana logged in; Ada held at Demo County Jail, which reviews messages and refunds
    rejected ones."""
    identity.answers["SearchResidents"] = identity_pb.SearchResidentsResponse(residents=[ADA])
    identity.answers["GetFacility"] = identity_pb.Facility(
        facility_id="FAC-DEMO", settings=REVIEWED
    )
    identity.answers["GetAccount"] = identity_pb.Account(time_zone="America/New_York")
    for client in family_portal(identity, StandInIdentity()):
        client.app.state.services.messaging = messaging  # type: ignore[attr-defined]
        yield client


def calls(stand_in: StandInIdentity, method: str) -> list[object]:
    return [request for name, request, _ in stand_in.calls if name == method]


def compose_form(client: TestClient) -> dict[str, str]:
    """The hidden fields of the compose page as a browser would post them back."""
    page = client.get(COMPOSE).text
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page))
    return {name: hidden[name] for name in ("csrf_token", "client_key", "draft_id")}


def test_the_compose_page_says_the_prices_and_the_review_before_sending(
    family: TestClient,
) -> None:
    page = family.get(COMPOSE).text
    assert "Each message: $0.50 from your messaging balance." in page
    assert "Each photo: $1.25 more." in page
    assert "reviews every message" in page and "is refunded to your balance" in page
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input id="images" name="images" type="file"[^>]* multiple', page)
    assert "Up to 2 photos, JPEG or PNG." in page
    assert csrf_of(page)


def test_each_compose_page_carries_its_own_client_key(family: TestClient) -> None:
    first, second = compose_form(family)["client_key"], compose_form(family)["client_key"]
    assert len(first) >= 16 and first != second


def test_a_double_submit_sends_the_same_client_key_with_the_photos(
    family: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["SendMessage"] = message()
    posted = {**compose_form(family), "body": "Hello Ada", "action": "send"}
    for _ in range(2):
        sent = family.post(COMPOSE, data=posted, files=[("images", PHOTO)], follow_redirects=False)
        assert sent.status_code == 303
        assert sent.headers["location"] == "/messages/sent?notice=sent"
    first, second = calls(messaging, "SendMessage")
    assert first == second
    assert isinstance(first, pb.SendMessageRequest)
    assert (first.facility_id, first.resident_id, first.body) == ("FAC-DEMO", "R-1001", "Hello Ada")
    assert [(i.file_name, i.content, i.content_type) for i in first.images] == [PHOTO]
    assert first.client_key == posted["client_key"]


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (InvalidArgument("body_missing", "no body", field="body"), "body"),
        (InvalidArgument("body_too_long", "long", field="body"), "body"),
        (InvalidArgument("image_type_mismatch", "a PNG", field="images[0]"), "images"),
        (InvalidArgument("image_heic_unsupported", "HEIC", field="images"), "images"),
        (InvalidArgument("too_many_images", "3", field="images"), "images"),
        (InvalidArgument("image_decompression_bomb", "bomb"), "images"),
    ],
)
def test_a_refusal_of_the_send_is_said_beside_its_field(
    family: TestClient, messaging: StandInIdentity, error: InvalidArgument, field: str
) -> None:
    messaging.answers["SendMessage"] = refusal(error)
    posted = {**compose_form(family), "body": "Hello", "action": "send"}
    page = family.post(COMPOSE, data=posted, files=[("images", PHOTO)])
    assert page.status_code == 400
    assert error_beside(page.text, field) == sentence(error.code)
    assert f'value="{posted["client_key"]}"' in page.text  # a retry is the same message


def test_without_credit_the_page_leads_to_the_refill(
    family: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["SendMessage"] = refusal(FailedPrecondition("insufficient_credit", "low"))
    page = family.post(COMPOSE, data={**compose_form(family), "body": "Hi", "action": "send"})
    assert page.status_code == 400
    assert sentence("insufficient_credit") in page.text
    assert re.search(r'<p data-refill><a href="/messaging">', page.text)


def test_save_draft_keeps_the_text_and_a_draft_opens_for_editing(
    family: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["SaveDraft"] = pb.Draft(draft_id="d-1")
    posted = {**compose_form(family), "body": "Half a thought", "action": "save_draft"}
    saved = family.post(COMPOSE, data=posted, follow_redirects=False)
    assert saved.headers["location"] == "/messages/drafts?notice=draft_saved"
    (saving,) = calls(messaging, "SaveDraft")
    assert isinstance(saving, pb.SaveDraftRequest)
    assert (saving.body, saving.client_key, saving.draft_id) == (
        "Half a thought",
        posted["client_key"],
        "",
    )
    assert calls(messaging, "SendMessage") == []

    draft = pb.Draft(draft_id="d-1", facility_id="FAC-DEMO", resident_id="R-1001", body="Half")
    messaging.answers["ListDrafts"] = pb.ListDraftsResponse(drafts=[draft])
    listed = family.get("/messages/drafts?notice=draft_saved").text
    assert "Your draft is saved." in listed
    assert f'href="{COMPOSE}?draft=d-1"' in listed
    editing = family.get(f"{COMPOSE}?draft=d-1").text
    assert ">Half</textarea>" in editing and 'name="draft_id" value="d-1"' in editing


def test_a_draft_is_deleted(family: TestClient, messaging: StandInIdentity) -> None:
    messaging.answers["ListDrafts"] = pb.ListDraftsResponse(
        drafts=[pb.Draft(draft_id="d-1", facility_id="FAC-DEMO", resident_id="R-1001")]
    )
    messaging.answers["DeleteDraft"] = pb.Accepted()
    token = csrf_of(family.get("/messages/drafts").text)
    deleted = family.post(
        "/messages/drafts/d-1/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert deleted.headers["location"] == "/messages/drafts?notice=draft_deleted"
    assert calls(messaging, "DeleteDraft") == [pb.DeleteDraftRequest(draft_id="d-1")]


def test_the_sent_folder_says_each_status_and_a_rejections_reason(
    family: TestClient, messaging: StandInIdentity
) -> None:
    statuses = {
        "m-1": pb.MESSAGE_STATUS_PENDING_REVIEW,
        "m-2": pb.MESSAGE_STATUS_APPROVED,
        "m-3": pb.MESSAGE_STATUS_REJECTED,
        "m-4": pb.MESSAGE_STATUS_DELIVERED,
        "m-5": pb.MESSAGE_STATUS_READ,
    }
    messaging.answers["ListSent"] = pb.ListMessagesResponse(
        messages=[
            message(m, status=s, rejection_reason="No photos of faces." if m == "m-3" else "")
            for m, s in statuses.items()
        ]
    )
    page = family.get("/messages/sent").text
    assert page.count("<td>Ada Lovelace (R-1001)</td>") == len(statuses)
    said = re.findall(r"<td data-status>(.*?)</td>", page)
    assert said == [
        "Pending review",
        "Approved",
        "Rejected: No photos of faces.",
        "Delivered",
        "Read",
    ]


def test_a_collect_message_shows_nothing_of_itself_until_paid(
    family: TestClient, messaging: StandInIdentity
) -> None:
    collect = message(
        "c-1",
        direction=pb.MESSAGE_DIRECTION_FROM_RESIDENT,
        collect=True,
        collect_unpaid=True,
        status=pb.MESSAGE_STATUS_DELIVERED,
    )
    messaging.answers["ListInbox"] = pb.ListMessagesResponse(messages=[collect])
    inbox = family.get("/messages").text
    assert re.findall(r"<td data-status>(.*?)</td>", inbox) == ["Collect: pay to open"]

    messaging.answers["GetMessage"] = refusal(
        FailedPrecondition("collect_message_unpaid", "pay first")
    )
    offer = family.get("/messages/c-1").text
    assert "Pay and open" in offer and "data-body" not in offer and "<img" not in offer

    messaging.answers["OpenCollectMessage"] = refusal(
        FailedPrecondition("insufficient_credit", "low")
    )
    token = csrf_of(offer)
    refused = family.post("/messages/c-1/open", data={"csrf_token": token})
    assert refused.status_code == 400
    assert sentence("insufficient_credit") in refused.text
    assert '<a href="/messaging">' in refused.text and SECRET_BODY not in refused.text

    messaging.answers["OpenCollectMessage"] = message("c-1", body=SECRET_BODY)
    paid = family.post("/messages/c-1/open", data={"csrf_token": token}, follow_redirects=False)
    assert paid.headers["location"] == "/messages/c-1"


def test_an_opened_message_says_when_it_expires_in_both_time_zones_and_its_photos_go_through_the_portal(  # noqa: E501
    family: TestClient, messaging: StandInIdentity
) -> None:
    image = pb.ImageReference(index=0, content_type="image/jpeg", width=640, height=480)
    messaging.answers["GetMessage"] = message(
        "r-1",
        direction=pb.MESSAGE_DIRECTION_FROM_RESIDENT,
        body="Thank you!",
        images=[image],
        status=pb.MESSAGE_STATUS_READ,
        read_at=Timestamp(seconds=NOW),
        expires_at=Timestamp(seconds=NOW + 14 * 86400),
    )
    page = family.get("/messages/r-1").text
    expires = re.search(r"<dd data-expires>(.*?)</dd>", page, re.S)
    assert expires, page
    # 2027-01-29 08:00 UTC: 3:00 AM in New York (Ana's zone), 2:00 AM in Chicago (the jail's).
    assert "Jan 29, 2027, 3:00:00\u202fAM (Eastern time (New York))" in expires.group(1)
    assert "Jan 29, 2027, 2:00:00\u202fAM (Central time (Chicago))" in expires.group(1)
    assert "Thank you!" in page
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == ["/messages/r-1/images/0"]
    assert 'action="/messages/blocked/add"' in page


def test_a_photo_is_streamed_from_messaging_privately(
    family: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["GetImage"] = pb.Image(content_type="image/png", content=b"\x89PNG...")
    shown = family.get("/messages/r-1/images/1?size=thumbnail")
    assert shown.content == b"\x89PNG..."
    assert shown.headers["content-type"] == "image/png"
    assert "no-store" in shown.headers["cache-control"]
    assert calls(messaging, "GetImage") == [
        pb.GetImageRequest(message_id="r-1", image_index=1, thumbnail=True, content_wanted=True)
    ]


def test_a_photo_is_never_served_to_a_visitor_not_signed_in(
    identity: StandInIdentity, portal: TestClient
) -> None:
    shown = portal.get("/messages/r-1/images/0", follow_redirects=False)
    assert shown.status_code == 303 and shown.headers["location"].startswith("/log-in")


def test_someone_elses_message_is_not_found(family: TestClient, messaging: StandInIdentity) -> None:
    messaging.answers["GetMessage"] = refusal(NotFound("message_not_found", "no"))
    page = family.get("/messages/other")
    assert page.status_code == 400 and sentence("message_not_found") in page.text


def test_a_resident_is_blocked_and_unblocked(
    family: TestClient, messaging: StandInIdentity
) -> None:
    blocked = pb.BlockedResident(facility_id="FAC-DEMO", resident_id="R-1001")
    messaging.answers["ListBlockedResidents"] = pb.ListBlockedResidentsResponse(residents=[blocked])
    messaging.answers["BlockResident"] = blocked
    messaging.answers["UnblockResident"] = pb.Accepted()
    page = family.get("/messages/blocked").text
    assert '<tr data-blocked="R-1001">' in page
    resident = {"csrf_token": csrf_of(page), "facility_id": "FAC-DEMO", "resident_id": "R-1001"}
    for path, notice in (("add", "blocked"), ("remove", "unblocked")):
        answer = family.post(f"/messages/blocked/{path}", data=resident, follow_redirects=False)
        assert answer.headers["location"] == f"/messages/blocked?notice={notice}"
    expected = {"facility_id": "FAC-DEMO", "resident_id": "R-1001"}
    assert calls(messaging, "BlockResident") == [pb.BlockResidentRequest(**expected)]
    assert calls(messaging, "UnblockResident") == [pb.UnblockResidentRequest(**expected)]


FORMS = [
    COMPOSE,
    "/messages/drafts/d-1/delete",
    "/messages/blocked/add",
    "/messages/blocked/remove",
    "/messages/c-1/open",
]


@pytest.mark.parametrize("path", FORMS)
def test_every_form_is_refused_without_its_csrf_token(
    family: TestClient, messaging: StandInIdentity, path: str
) -> None:
    refused = family.post(path, data={"body": "Hello", "facility_id": "FAC-DEMO"})
    assert refused.status_code == 403
    assert messaging.calls == []


def test_a_message_with_photos_is_refused_with_another_sessions_token(
    family: TestClient, messaging: StandInIdentity
) -> None:
    posted = {**compose_form(family), "csrf_token": "another-sessions-token", "action": "send"}
    refused = family.post(COMPOSE, data=posted, files=[("images", PHOTO)])
    assert refused.status_code == 403
    assert calls(messaging, "SendMessage") == []


def test_the_navigation_and_the_resident_search_lead_to_messages(
    family: TestClient, messaging: StandInIdentity
) -> None:
    found = family.get("/residents?last_name=Lovelace").text
    assert f'href="{COMPOSE}"' in found
    assert '<a href="/messages"' in found


def test_a_facility_that_takes_no_messages_says_so_before_writing(
    family: TestClient, identity: StandInIdentity
) -> None:
    switched_off = identity_pb.FacilitySettings(
        name="Demo County Jail", messaging_switched_off=True
    )
    identity.answers["GetFacility"] = identity_pb.Facility(
        facility_id="FAC-DEMO", settings=switched_off
    )
    page = family.get(COMPOSE).text
    assert '<p class="notice" data-switched-off>' in page
    assert sentence("messaging_switched_off") in page
    assert 'id="images"' not in page  # the facility takes no photos either


def test_a_released_residents_refusal_speaks_of_messages(
    family: TestClient, messaging: StandInIdentity
) -> None:
    messaging.answers["SendMessage"] = refusal(
        FailedPrecondition("resident_released", "released", field="resident_id")
    )
    page = family.post(COMPOSE, data={**compose_form(family), "body": "Hi", "action": "send"})
    assert "money and messages can no longer be sent" in page.text
