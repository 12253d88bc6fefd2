"""The message's rules without infrastructure: its statuses, the review guards, collect
messages, and expiry 14 days to the instant after reading."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.residents import ResidentRecord
from kinlink_kit.testing import refused
from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.message import check_can_message
from kinlink_messaging.domain.message import check_content
from kinlink_messaging.domain.ports import Payment

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
PAYMENT = Payment("message:x", 150, 850)
IMAGE = ImageRef("messages/m/0.jpg", "messages/m/0-thumb.jpg", "ab" * 32, "image/jpeg", 640, 480, 1)


def started(images: tuple[ImageRef, ...] = ()) -> Message:
    return Message.start(uuid4(), uuid4(), "FAC-1", "R-1", "Hello", images, None, NOW)


def delivered_reply(collect: bool = False) -> Message:
    return Message.reply(
        uuid4(), uuid4(), "FAC-1", "R-1", "Hi", (), collect=collect, reviewed=False, at=NOW
    )


def test_a_started_message_awaits_its_payment_then_waits_for_review_once_paid() -> None:
    message = started((IMAGE,))
    assert (message.status, message.direction, message.images) == (
        MessageStatus.AWAITING_PAYMENT,
        Direction.TO_RESIDENT,
        (IMAGE,),
    )
    message.submit(PAYMENT, reviewed=True, at=NOW)
    assert (message.status, message.payment) == (MessageStatus.PENDING_REVIEW, PAYMENT)
    assert message.reference == f"message:{message.id}"


def test_a_facility_that_does_not_review_has_it_delivered_at_once() -> None:
    message = started()
    message.submit(PAYMENT, reviewed=False, at=NOW)
    assert message.status is MessageStatus.DELIVERED
    assert [type(e) for e in message.collect_events()][1:] == [
        Message.Submitted,
        Message.Approved,
        Message.Delivered,
    ]


def test_a_message_is_submitted_once() -> None:
    message = started()
    message.submit(PAYMENT, reviewed=True, at=NOW)
    message.collect_events()
    message.submit(PAYMENT, reviewed=True, at=NOW)
    assert message.collect_events() == []


def test_an_abandoned_message_is_restarted_but_a_submitted_one_is_not_abandoned() -> None:
    message = started()
    message.abandon(NOW)
    assert message.status is MessageStatus.ABANDONED
    message.restart("Hello again", (), None, NOW + timedelta(minutes=1))
    assert (message.status, message.body) == (MessageStatus.AWAITING_PAYMENT, "Hello again")
    message.submit(PAYMENT, reviewed=True, at=NOW)
    message.abandon(NOW)
    assert message.status is MessageStatus.PENDING_REVIEW


def test_a_payment_found_for_an_abandoned_message_sends_what_was_paid() -> None:
    message = started()
    message.abandon(NOW)
    message.submit(PAYMENT, reviewed=True, at=NOW)
    assert message.status is MessageStatus.PENDING_REVIEW


def test_an_officer_approves_then_it_is_delivered() -> None:
    message = started()
    message.submit(PAYMENT, reviewed=True, at=NOW)
    message.approve("officer-1", NOW)
    assert (message.status, message.decided_by) == (MessageStatus.APPROVED, "officer-1")
    message.deliver(NOW)
    assert message.status is MessageStatus.DELIVERED


def test_a_decided_message_is_not_decided_again() -> None:
    message = started()
    message.submit(PAYMENT, reviewed=True, at=NOW)
    message.reject("officer-1", "  Contraband talk ", NOW)
    assert (message.status, message.rejection_reason) == (MessageStatus.REJECTED, "Contraband talk")
    with refused(FailedPrecondition, "message_already_decided"):
        message.approve("officer-2", NOW)


def test_only_a_message_pending_review_is_decided() -> None:
    with refused(FailedPrecondition, "message_not_pending_review"):
        started().approve("officer-1", NOW)


def test_a_rejection_needs_a_reason() -> None:
    message = started()
    message.submit(PAYMENT, reviewed=True, at=NOW)
    with refused(InvalidArgument, "rejection_reason_missing"):
        message.reject("officer-1", "  ", NOW)
    assert message.status is MessageStatus.PENDING_REVIEW


def test_a_reply_waits_for_review_when_the_facility_reviews() -> None:
    message = Message.reply(
        uuid4(), uuid4(), "FAC-1", "R-1", "Hi", (), collect=False, reviewed=True, at=NOW
    )
    assert (message.direction, message.status, message.payment) == (
        Direction.FROM_RESIDENT,
        MessageStatus.PENDING_REVIEW,
        None,
    )


def test_a_collect_message_shows_nothing_until_paid() -> None:
    message = delivered_reply(collect=True)
    with refused(FailedPrecondition, "collect_message_unpaid"):
        message.read(NOW)
    assert message.status is MessageStatus.DELIVERED
    message.pay_to_open(Payment(message.collect_reference, 50, 0), NOW)
    assert message.read(NOW) is True
    assert message.status is MessageStatus.READ


def test_reading_is_recorded_the_first_time_only() -> None:
    message = delivered_reply()
    assert message.read(NOW) is True
    assert message.read(NOW + timedelta(hours=1)) is False
    assert message.read_at == NOW


@pytest.mark.parametrize(
    "read_at",
    [
        # In Chicago, a week before its clocks go back (1 November 2026).
        datetime(2026, 10, 25, 10, 0, tzinfo=ZoneInfo("America/Chicago")),
        # The night they go back: 01:30 happens twice.
        datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/Chicago"), fold=1),
        # In New York, a week before its clocks go forward (8 March 2026).
        datetime(2026, 3, 1, 23, 0, tzinfo=ZoneInfo("America/New_York")),
        # A reader in Europe, whose clocks change on other dates (25 October 2026).
        datetime(2026, 10, 20, 9, 15, tzinfo=ZoneInfo("Europe/Berlin")),
    ],
)
def test_a_message_expires_336_hours_after_it_was_read_in_any_time_zone(
    read_at: datetime,
) -> None:
    message = delivered_reply()
    message.read(read_at)
    expiry = read_at.astimezone(UTC) + timedelta(hours=336)
    assert message.expires_at == expiry
    before = (expiry - timedelta(microseconds=1)).astimezone(ZoneInfo("America/Los_Angeles"))
    assert message.viewable(before)
    message.check_viewable(before)
    assert not message.viewable(expiry)
    assert message.status_at(expiry) is MessageStatus.EXPIRED
    with refused(FailedPrecondition, "message_expired"):
        message.check_viewable(expiry.astimezone(ZoneInfo("Asia/Tokyo")))


def test_the_expiry_is_recorded_once_its_time_has_come() -> None:
    message = delivered_reply()
    message.read(NOW)
    assert message.expire(NOW + timedelta(days=14) - timedelta(microseconds=1)) is False
    assert message.expire(NOW + timedelta(days=14)) is True
    assert message.expire(NOW + timedelta(days=15)) is False
    assert message.status is MessageStatus.EXPIRED
    assert not message.viewable(NOW)


def test_an_unread_message_never_expires() -> None:
    message = delivered_reply()
    assert message.expire(NOW + timedelta(days=400)) is False
    assert message.viewable(NOW + timedelta(days=400))


def test_a_released_resident_or_a_facility_without_messaging_cannot_be_messaged() -> None:
    settings = FacilitySettings(
        name="Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=1, fee_cents=0),),
    )
    held = ResidentRecord("FAC-1", "R-1", "Ann Love", released=False)
    check_can_message(held, settings)
    with refused(FailedPrecondition, "resident_released"):
        check_can_message(ResidentRecord("FAC-1", "R-1", "Ann Love", released=True), settings)
    with refused(FailedPrecondition, "messaging_switched_off"):
        check_can_message(held, settings.model_copy(update={"messaging_switched_off": True}))


@pytest.mark.parametrize(
    ("body", "images", "code"),
    [("  ", 0, "body_missing"), ("x" * 6001, 0, "body_too_long")],
)
def test_a_message_needs_a_body_or_an_image_within_its_length(
    body: str, images: int, code: str
) -> None:
    with refused(InvalidArgument, code):
        check_content(body, images)


def test_a_message_of_6000_characters_or_only_an_image_is_accepted() -> None:
    check_content("x" * 6000, 0)
    check_content("", 1)
