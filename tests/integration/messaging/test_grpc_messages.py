"""A family member's calls over gRPC: sending (with images as bytes, once per client key, paid
before it is accepted), drafts, blocks, and the refusals each input gets."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.service_layer.messaging import Messaging
from PIL import Image

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.messaging.conftest import Outside
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import facility_settings

Stub = messaging_pb2_grpc.MessagingServiceStub


@pytest.fixture
def messaging(
    messaging_settings: MessagingSettings, outside: Outside, clock: Clock
) -> Iterator[Messaging]:
    """As the service runs: images checked and re-encoded by the real preparation."""
    built = build_messaging(
        messaging_settings,
        wallet=outside.wallet,
        images=outside.images,
        directory=outside.directory,
        sms_pictures=outside.sms_pictures,
    )
    built.clock = clock
    yield built
    built.close()


def photo() -> pb.ImageUpload:
    content = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 30, 30)).save(content, "JPEG")
    return pb.ImageUpload(
        file_name="IMG_0042.jpg", content_type="image/jpeg", content=content.getvalue()
    )


def send(
    key: str = "compose-1", body: str = "Hello from home.", **fields: object
) -> pb.SendMessageRequest:
    return pb.SendMessageRequest(
        client_key=key, facility_id=FACILITY, resident_id=RESIDENT, body=body, **fields
    )


async def test_a_message_with_an_image_is_charged_once_and_delivered_however_often_it_is_sent(
    messaging_stub: Stub, token_keys: TokenKeys, outside: Outside, family: UUID
) -> None:
    me = token_keys.family(str(family))
    sent = await messaging_stub.SendMessage(send(images=[photo()]), metadata=me)
    assert sent.direction == pb.MESSAGE_DIRECTION_TO_RESIDENT
    assert (sent.account_id, sent.facility_id, sent.resident_id) == (
        str(family),
        FACILITY,
        RESIDENT,
    )
    assert sent.status == pb.MESSAGE_STATUS_DELIVERED  # the facility does not review
    assert sent.body == "Hello from home."
    [image] = sent.images
    assert (image.index, image.content_type, image.width, image.height) == (
        0,
        "image/jpeg",
        120,
        90,
    )
    assert sent.charged_cents == 150  # 50 the message, 100 the image
    assert sent.HasField("sent_at") and sent.HasField("delivered_at")

    again = await messaging_stub.SendMessage(send(images=[photo()]), metadata=me)
    assert again.message_id == sent.message_id
    assert outside.wallet.balances[family] == 1000 - 150


async def test_an_image_larger_than_grpcs_default_reaches_the_facilitys_image_rules(
    messaging_stub: Stub, token_keys: TokenKeys, outside: Outside, family: UUID
) -> None:
    outside.directory.facilities[FACILITY] = facility_settings(
        image_rules=ImageRules(max_bytes=4_500_000)
    )
    large = pb.ImageUpload(
        file_name="scan.png", content_type="image/png", content=os.urandom(5 * 1024 * 1024)
    )
    await refused_over_grpc(
        messaging_stub.SendMessage(send(images=[large]), metadata=token_keys.family(str(family))),
        grpc.StatusCode.INVALID_ARGUMENT,
        "image_too_large",
        "images",
    )
    assert outside.wallet.balances[family] == 1000


@pytest.mark.parametrize(
    ("request_", "status", "reason", "field"),
    [
        (send(body="  "), grpc.StatusCode.INVALID_ARGUMENT, "body_missing", "body"),
        (send(body="x" * 6001), grpc.StatusCode.INVALID_ARGUMENT, "body_too_long", "body"),
        (send(key=""), grpc.StatusCode.INVALID_ARGUMENT, "client_key_missing", "client_key"),
        (send(draft_id="draft"), grpc.StatusCode.INVALID_ARGUMENT, "draft_id_invalid", "draft_id"),
        (
            send(draft_id=str(uuid4())),
            grpc.StatusCode.NOT_FOUND,
            "draft_not_found",
            "draft_id",
        ),
        (
            pb.SendMessageRequest(
                client_key="k", facility_id=FACILITY, resident_id="R-404", body="Hi"
            ),
            grpc.StatusCode.NOT_FOUND,
            "resident_not_found",
            "resident_id",
        ),
        (
            send(
                images=[
                    pb.ImageUpload(
                        file_name="a.jpg",
                        content_type="image/jpeg",
                        content=b"\xff\xd8\xff" + b"0" * 200,
                    )
                ]
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "image_corrupt",
            "images",
        ),
        (
            send(
                images=[
                    pb.ImageUpload(
                        file_name="a.jpg", content_type="image/jpeg", content=b"GIF89a" + b"0" * 200
                    )
                ]
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "image_type_not_allowed",
            "images",
        ),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_charges_nothing(
    messaging_stub: Stub,
    token_keys: TokenKeys,
    outside: Outside,
    family: UUID,
    request_: pb.SendMessageRequest,
    status: grpc.StatusCode,
    reason: str,
    field: str,
) -> None:
    await refused_over_grpc(
        messaging_stub.SendMessage(request_, metadata=token_keys.family(str(family))),
        status,
        reason,
        field,
    )
    assert outside.wallet.balances[family] == 1000


async def test_who_cannot_be_messaged_is_refused_each_with_its_code(
    messaging_stub: Stub, token_keys: TokenKeys, outside: Outside, family: UUID
) -> None:
    me = token_keys.family(str(family))
    outside.directory.facilities[FACILITY] = facility_settings(messaging_switched_off=True)
    await refused_over_grpc(
        messaging_stub.SendMessage(send(), metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
        "messaging_switched_off",
        "facility_id",
    )
    outside.directory.facilities[FACILITY] = facility_settings()
    outside.directory.book(FACILITY, RESIDENT, released=True)
    await refused_over_grpc(
        messaging_stub.SendMessage(send(), metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
        "resident_released",
        "resident_id",
    )


async def test_without_credit_or_with_the_wallet_unreachable_nothing_is_sent(
    messaging_stub: Stub, token_keys: TokenKeys, outside: Outside
) -> None:
    broke = uuid4()
    await refused_over_grpc(
        messaging_stub.SendMessage(send(), metadata=token_keys.family(str(broke))),
        grpc.StatusCode.FAILED_PRECONDITION,
        "insufficient_credit",
    )
    outside.wallet.unreachable = True
    for _ in range(2):  # asked again before the payment sweep settled it
        await refused_over_grpc(
            messaging_stub.SendMessage(send("other"), metadata=token_keys.family(str(broke))),
            grpc.StatusCode.UNAVAILABLE,
            "wallet_unavailable",
        )
    sent = await messaging_stub.ListSent(
        pb.ListSentRequest(page_size=10), metadata=token_keys.family(str(broke))
    )
    assert list(sent.messages) == []


async def test_a_blocked_resident_cannot_be_messaged_until_unblocked(
    messaging_stub: Stub, token_keys: TokenKeys, family: UUID
) -> None:
    me = token_keys.family(str(family))
    blocked = await messaging_stub.BlockResident(
        pb.BlockResidentRequest(facility_id=FACILITY, resident_id=RESIDENT), metadata=me
    )
    assert (blocked.facility_id, blocked.resident_id) == (FACILITY, RESIDENT)
    listed = await messaging_stub.ListBlockedResidents(
        pb.ListBlockedResidentsRequest(), metadata=me
    )
    assert [(b.facility_id, b.resident_id) for b in listed.residents] == [(FACILITY, RESIDENT)]
    await refused_over_grpc(
        messaging_stub.SendMessage(send(), metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
        "resident_blocked",
        "resident_id",
    )
    await messaging_stub.UnblockResident(
        pb.UnblockResidentRequest(facility_id=FACILITY, resident_id=RESIDENT), metadata=me
    )
    listed = await messaging_stub.ListBlockedResidents(
        pb.ListBlockedResidentsRequest(), metadata=me
    )
    assert list(listed.residents) == []
    assert (
        await messaging_stub.SendMessage(send(), metadata=me)
    ).status == pb.MESSAGE_STATUS_DELIVERED


async def test_a_draft_is_saved_edited_listed_and_deleted_by_sending_it(
    messaging_stub: Stub, token_keys: TokenKeys, family: UUID
) -> None:
    me = token_keys.family(str(family))
    new = pb.SaveDraftRequest(
        client_key="d-1", facility_id=FACILITY, resident_id=RESIDENT, body="Dear"
    )
    draft = await messaging_stub.SaveDraft(new, metadata=me)
    assert (await messaging_stub.SaveDraft(new, metadata=me)).draft_id == draft.draft_id
    edited = await messaging_stub.SaveDraft(
        pb.SaveDraftRequest(draft_id=draft.draft_id, body="Dear Sam,"), metadata=me
    )
    assert (edited.draft_id, edited.body, edited.resident_id) == (
        draft.draft_id,
        "Dear Sam,",
        RESIDENT,
    )
    listed = await messaging_stub.ListDrafts(pb.ListDraftsRequest(page_size=10), metadata=me)
    assert [(d.draft_id, d.body) for d in listed.drafts] == [(draft.draft_id, "Dear Sam,")]

    await messaging_stub.SendMessage(send(body="Dear Sam,", draft_id=draft.draft_id), metadata=me)
    listed = await messaging_stub.ListDrafts(pb.ListDraftsRequest(page_size=10), metadata=me)
    assert list(listed.drafts) == []
    await refused_over_grpc(
        messaging_stub.DeleteDraft(pb.DeleteDraftRequest(draft_id=draft.draft_id), metadata=me),
        grpc.StatusCode.NOT_FOUND,
        "draft_not_found",
        "draft_id",
    )


async def test_drafts_are_refused_naming_the_field(
    messaging_stub: Stub, token_keys: TokenKeys, family: UUID
) -> None:
    me = token_keys.family(str(family))
    await refused_over_grpc(
        messaging_stub.SaveDraft(
            pb.SaveDraftRequest(facility_id=FACILITY, resident_id=RESIDENT, body="x"), metadata=me
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "client_key_missing",
        "client_key",
    )
    await refused_over_grpc(
        messaging_stub.SaveDraft(pb.SaveDraftRequest(draft_id=str(uuid4()), body="x"), metadata=me),
        grpc.StatusCode.NOT_FOUND,
        "draft_not_found",
        "draft_id",
    )
    await refused_over_grpc(
        messaging_stub.ListDrafts(pb.ListDraftsRequest(page_size=500), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
        "page_size_invalid",
        "page_size",
    )
    await refused_over_grpc(
        messaging_stub.DeleteDraft(pb.DeleteDraftRequest(draft_id="x"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
        "draft_id_invalid",
        "draft_id",
    )


def officer(token_keys: TokenKeys) -> Metadata:
    return bearer(token_keys.token("officer", Role.FACILITY_OFFICER, facilities=[FACILITY]))


async def test_only_family_members_send_draft_and_block(
    messaging_stub: Stub, token_keys: TokenKeys
) -> None:
    for call in (
        messaging_stub.SendMessage(send(), metadata=officer(token_keys)),
        messaging_stub.ListDrafts(pb.ListDraftsRequest(page_size=1), metadata=officer(token_keys)),
        messaging_stub.BlockResident(pb.BlockResidentRequest(), metadata=officer(token_keys)),
    ):
        await refused_over_grpc(call, grpc.StatusCode.PERMISSION_DENIED, "role_not_allowed")
    await refused_over_grpc(
        messaging_stub.SendMessage(send()),
        grpc.StatusCode.UNAUTHENTICATED,
        "token_missing",
    )
