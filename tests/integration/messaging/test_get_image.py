"""A message's images shown on the terms of its body."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_messaging.service_layer.get_image import GetImage
from kinlink_messaging.service_layer.get_image import ImageToShow
from kinlink_messaging.service_layer.get_image import get_image
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.read_message import read_message
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import reply
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import MemoryImageStore


def test_a_sent_image_and_its_thumbnail_are_served_to_their_sender_only(
    messaging: Messaging, family: UUID
) -> None:
    command = SendMessage(family, FACILITY, RESIDENT, "k", "", (b"first", b"second photo"))
    message = send_message(messaging, command)

    shown = get_image(messaging, GetImage(family, message.id, 1))
    thumbnail = get_image(messaging, GetImage(family, message.id, 1, thumbnail=True))
    assert shown == ImageToShow("image/jpeg", None, b"second photo")
    assert thumbnail.content == b"second photo"[:8]
    with refused(NotFound, "image_not_found"):
        get_image(messaging, GetImage(family, message.id, 2))
    with refused(NotFound, "message_not_found"):
        get_image(messaging, GetImage(uuid4(), message.id, 0))


def test_a_png_keeps_its_type_and_its_thumbnail_is_a_jpeg(
    messaging: Messaging, family: UUID
) -> None:
    message = send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "k", "", (b"PNG",)))
    image = get_image(messaging, GetImage(family, message.id, 0))
    thumbnail = get_image(messaging, GetImage(family, message.id, 0, thumbnail=True))
    assert (image.content_type, thumbnail.content_type) == ("image/png", "image/jpeg")
    assert message.images[0].thumbnail_content_type == "image/jpeg"


def test_an_image_is_refused_once_its_message_expired_or_while_a_collect_one_is_unpaid(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    collect = reply(messaging, outside, family, collect=True)
    with refused(FailedPrecondition, "collect_message_unpaid"):
        get_image(messaging, GetImage(family, collect.id, 0))

    message = reply(messaging, outside, family)
    read_message(messaging, family, message.id)
    clock.now += timedelta(days=14) - timedelta(microseconds=1)
    assert get_image(messaging, GetImage(family, message.id, 0)).content == b"photo"
    clock.now += timedelta(microseconds=1)
    with refused(FailedPrecondition, "message_expired"):
        get_image(messaging, GetImage(family, message.id, 0))


class SigningStore(MemoryImageStore):
    def signed_url(self, key: str, lifetime: timedelta) -> str | None:
        return f"https://images.example/{key}?seconds={lifetime.total_seconds():.0f}"


def test_where_the_store_signs_urls_the_browser_is_sent_to_one_that_expires_soon(
    messaging: Messaging, family: UUID
) -> None:
    messaging.images = SigningStore()
    message = send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "k", "", (b"p",)))
    shown = get_image(messaging, GetImage(family, message.id, 0, thumbnail=True))
    assert shown == ImageToShow(
        "image/jpeg", f"https://images.example/messages/{message.id}/0-thumb.jpg?seconds=300", None
    )


def test_a_caller_serving_the_image_itself_gets_its_bytes_even_where_the_store_signs(
    messaging: Messaging, family: UUID
) -> None:
    messaging.images = SigningStore()
    message = send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "k", "", (b"p",)))
    shown = get_image(messaging, GetImage(family, message.id, 0, content_wanted=True))
    assert (shown.url, shown.content) == (None, b"p")
