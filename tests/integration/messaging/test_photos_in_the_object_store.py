"""A family member's photo end to end on the real object store: checked and re-encoded by the
service's own preparation, kept in the private bucket under the key and hash the message
records, fetched by a browser only through a short-lived signed URL, and without the GPS
position and camera serial the phone wrote into it."""

from __future__ import annotations

import hashlib
import io
from uuid import UUID

import httpx
import pytest
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Infra
from kinlink_kit.testing import refused
from kinlink_messaging.adapters.image_store_settings import open_image_store
from kinlink_messaging.bootstrap import prepare_upload
from kinlink_messaging.domain.ids import message_id
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.get_image import GetImage
from kinlink_messaging.service_layer.get_image import get_image
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import PrepareImage
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message
from PIL import ExifTags
from PIL import Image

from tests.integration.messaging.test_image_store import s3_settings
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.photos import CAMERA_SERIAL
from tests.photos import phone_exif


@pytest.fixture
def prepare_image() -> PrepareImage:
    return prepare_upload


@pytest.fixture
def bucket_messaging(messaging: Messaging, infra: Infra) -> Messaging:
    messaging.images = open_image_store(s3_settings(infra))
    return messaging


def phone_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 120, 160)).save(out, "JPEG", exif=phone_exif())
    return out.getvalue()


def sending(family: UUID, key: str) -> SendMessage:
    photo = ImageUpload("IMG_0001.jpg", "image/jpeg", phone_photo())
    return SendMessage(family, FACILITY, RESIDENT, key, "From the beach", (photo,))


def test_a_photo_is_kept_stripped_under_its_hash_and_fetched_through_a_signed_url(
    bucket_messaging: Messaging, family: UUID
) -> None:
    message = send_message(bucket_messaging, sending(family, "photo-1"))
    assert message.status is MessageStatus.DELIVERED
    [image] = message.images

    stored = bucket_messaging.images.get(image.key)
    assert hashlib.sha256(stored).hexdigest() == image.sha256
    shown = get_image(bucket_messaging, GetImage(family, message.id, 0))
    assert shown.url is not None and shown.content is None
    fetched = httpx.get(shown.url)
    assert fetched.status_code == 200 and fetched.content == stored
    photo = Image.open(io.BytesIO(fetched.content))
    assert (photo.format, photo.size) == ("JPEG", (640, 480))
    assert not photo.getexif() and not photo.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert CAMERA_SERIAL.encode() not in stored and b"Kinlink Phone" not in stored
    assert httpx.get(shown.url.split("?")[0]).status_code == 403  # never public


def test_a_photo_of_a_message_nobody_paid_for_is_deleted_from_the_bucket(
    bucket_messaging: Messaging,
) -> None:
    penniless = UUID(int=7)
    with refused(FailedPrecondition, "insufficient_credit"):
        send_message(bucket_messaging, sending(penniless, "photo-2"))

    for key in ImageRef.keys(message_id(penniless, "photo-2"), 0):
        with refused(NotFound, "image_gone"):
            bucket_messaging.images.get(key)
