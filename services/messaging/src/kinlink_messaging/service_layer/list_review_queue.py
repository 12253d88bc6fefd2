"""ListReviewQueue: the messages a facility's officers have to decide, oldest first, page by
page, each with its images' thumbnails so the officer sees them at a glance."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.auth import Principal
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_messaging.adapters.facility_messages_view import review_queue
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.service_layer.messaging import Messaging


@dataclass(frozen=True)
class ListReviewQueue:
    facility_id: str
    page_size: int
    page_token: str = ""


@dataclass(frozen=True)
class ReviewItem:
    message: Message
    # One per image, in the message's order; empty where the object is gone.
    thumbnails: tuple[bytes, ...]


def list_review_queue(
    messaging: Messaging, officer: Principal, command: ListReviewQueue
) -> Page[ReviewItem]:
    officer.require_facility(command.facility_id)
    messaging.directory.facility(command.facility_id)  # NotFound if unknown
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    rows = review_queue(messaging.views.messages, command.facility_id, page_size + 1, after)
    page = page_of(rows, page_size, lambda row: (row[0], str(row[1])))
    messages = (messaging.find(message_id, Message, to_change=False) for _, message_id in page.rows)
    items = [
        ReviewItem(message, _thumbnails(messaging, message))
        for message in messages
        # Not one another officer decided since the view was read.
        if message is not None and message.status is MessageStatus.PENDING_REVIEW
    ]
    return Page(items, page.next_page_token)


def _thumbnails(messaging: Messaging, message: Message) -> tuple[bytes, ...]:
    def thumbnail(key: str) -> bytes:
        try:
            return messaging.images.get(key)
        except ImageGone:
            return b""

    return tuple(thumbnail(image.thumbnail_key) for image in message.images)
