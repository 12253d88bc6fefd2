"""A message between a family member and a resident, from its start to its expiry.

A family member's message is started (its images stored) before the wallet is charged, and
submitted once paid (decision 0035); a resident's reply is submitted at once, unpaid (a collect
reply is paid by the family member on opening it). A facility that reviews holds it pending
until an officer approves or rejects it; approved, it is delivered; read, it expires 14 days
later to the instant (decision 0036).
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.residents import ResidentRecord
from kinlink_kit.residents import ResidentReleased

from kinlink_messaging.domain.ports import Payment

MAX_BODY_CHARACTERS = 6000
# An instant, not "14 calendar days" in anyone's time zone: 336 hours whatever the clocks do.
EXPIRES_AFTER_READING = timedelta(days=14)


class Direction(StrEnum):
    TO_RESIDENT = "to_resident"  # a family member writes
    FROM_RESIDENT = "from_resident"  # a resident's reply, posted by the facility's system


class MessageStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"  # internal: never shown nor published
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    DELIVERED = "delivered"
    READ = "read"
    EXPIRED = "expired"
    ABANDONED = "abandoned"  # internal: the payment never happened


DECIDED = frozenset(
    {
        MessageStatus.APPROVED,
        MessageStatus.REJECTED,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.EXPIRED,
    }
)


class MessageNotFound(NotFound):
    """Also what someone else's message is to a caller."""

    def __init__(self) -> None:
        super().__init__("message_not_found", "No such message.")


class ImageNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("image_not_found", "This message has no such image.")


class MessageExpired(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "message_expired", "This message expired 14 days after it was read: it is gone."
        )


class MessageAlreadyDecided(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "message_already_decided", "Another officer has already approved or rejected it."
        )


class MessageNotPendingReview(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("message_not_pending_review", "This message is not awaiting review.")


class RejectionReasonMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("rejection_reason_missing", "Say why the message is rejected.")


class BodyMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("body_missing", "Write something, or attach an image.")


class BodyTooLong(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "body_too_long", f"A message holds at most {MAX_BODY_CHARACTERS:,} characters."
        )


class ClientKeyMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "client_key_missing", "Give each request a key of its own, the same on a retry."
        )


class CollectMessageUnpaid(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "collect_message_unpaid", "This is a collect message: pay for it to open it."
        )


class MessagingSwitchedOff(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "messaging_switched_off", "This facility does not offer messages at the moment."
        )


@dataclass(frozen=True)
class ImageRef:
    """Where a message's image and its thumbnail are stored, and what they are."""

    key: str
    thumbnail_key: str
    sha256: str
    content_type: str
    width: int
    height: int
    size: int
    # A PNG keeps its type; thumbnails are JPEG. (Messages stored before it was kept: JPEG.)
    thumbnail_content_type: str = "image/jpeg"

    @staticmethod
    def keys(message_id: UUID, number: int) -> tuple[str, str]:
        """The image's and the thumbnail's keys: a retried send overwrites its own objects."""
        return f"messages/{message_id}/{number}.jpg", f"messages/{message_id}/{number}-thumb.jpg"


def check_can_message(resident: ResidentRecord, facility: FacilitySettings) -> None:
    """A message between a family and this resident may be sent (either way)."""
    if resident.released:
        raise ResidentReleased()
    if facility.messaging_switched_off:
        raise MessagingSwitchedOff()


def check_content(body: str, image_count: int) -> None:
    """Something to say, within the length a message holds (how many images a facility takes
    is the image rules' `check_image_count`)."""
    if not body.strip() and image_count == 0:
        raise BodyMissing()
    if len(body) > MAX_BODY_CHARACTERS:
        raise BodyTooLong()


def _utc(at: datetime) -> datetime:
    # Stored and compared as UTC instants: arithmetic on a zoned datetime follows its wall clock.
    return at.astimezone(UTC)


def _images(images: list[dict[str, Any]]) -> tuple[ImageRef, ...]:
    return tuple(ImageRef(**image) for image in images)


def _payment(payment: dict[str, Any] | None) -> Payment | None:
    return Payment(**payment) if payment is not None else None


class Message(Aggregate):
    # Images and payments travel in events as plain mappings (the store's JSON).
    class Started(Aggregate.Created):
        direction: str
        account_id: UUID
        facility_id: str
        resident_id: str
        body: str
        images: list[dict[str, Any]]
        collect: bool
        draft_id: UUID | None
        started_at: datetime

    class Restarted(Aggregate.Event):
        """An abandoned message sent again with the same client key."""

        body: str
        images: list[dict[str, Any]]
        draft_id: UUID | None
        started_at: datetime

    class Submitted(Aggregate.Event):
        payment: dict[str, Any] | None
        submitted_at: datetime

    class Approved(Aggregate.Event):
        officer: str | None  # None: the facility does not review
        approved_at: datetime

    class Rejected(Aggregate.Event):
        officer: str
        reason: str
        rejected_at: datetime

    class Delivered(Aggregate.Event):
        delivered_at: datetime

    class Read(Aggregate.Event):
        read_at: datetime

    class Expired(Aggregate.Event):
        expired_at: datetime

    class Abandoned(Aggregate.Event):
        abandoned_at: datetime

    class CollectPaid(Aggregate.Event):
        payment: dict[str, Any]
        paid_at: datetime

    @event(Started)
    def __init__(
        self,
        direction: str,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        body: str,
        images: list[dict[str, Any]],
        collect: bool,
        draft_id: UUID | None,
        started_at: datetime,
    ) -> None:
        self.direction = Direction(direction)
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.body = body
        self.images = _images(images)
        self.collect = collect
        self.draft_id = draft_id
        self.started_at = started_at
        self.status = MessageStatus.AWAITING_PAYMENT
        self.payment: Payment | None = None
        self.collect_payment: Payment | None = None
        self.submitted_at: datetime | None = None
        self.decided_by: str | None = None
        self.decided_at: datetime | None = None
        self.rejection_reason: str | None = None
        self.delivered_at: datetime | None = None
        self.read_at: datetime | None = None
        self.expired_at: datetime | None = None

    @classmethod
    def start(
        cls,
        message_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        body: str,
        images: tuple[ImageRef, ...],
        draft_id: UUID | None,
        at: datetime,
        *,
        direction: Direction = Direction.TO_RESIDENT,
        collect: bool = False,
    ) -> Message:
        """A family member's message, awaiting its payment (or a reply, see `reply`)."""
        return cls._create(
            cls.Started,
            id=message_id,
            direction=direction.value,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            body=body,
            images=[asdict(image) for image in images],
            collect=collect,
            draft_id=draft_id,
            started_at=_utc(at),
        )

    @classmethod
    def reply(
        cls,
        message_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        body: str,
        images: tuple[ImageRef, ...],
        *,
        collect: bool,
        reviewed: bool,
        at: datetime,
    ) -> Message:
        """A resident's reply to a family member, submitted as posted: the resident pays
        nothing, and the family member pays for a collect one on opening it."""
        message = cls.start(
            message_id,
            account_id,
            facility_id,
            resident_id,
            body,
            images,
            None,
            at,
            direction=Direction.FROM_RESIDENT,
            collect=collect,
        )
        message.submit(None, reviewed=reviewed, at=at)
        return message

    def restart(
        self, body: str, images: tuple[ImageRef, ...], draft_id: UUID | None, at: datetime
    ) -> None:
        if self.status is MessageStatus.ABANDONED:
            self._restarted(body, [asdict(image) for image in images], draft_id, _utc(at))

    @event(Restarted)
    def _restarted(
        self, body: str, images: list[dict[str, Any]], draft_id: UUID | None, started_at: datetime
    ) -> None:
        self.body = body
        self.images = _images(images)
        self.draft_id = draft_id
        self.started_at = started_at
        self.status = MessageStatus.AWAITING_PAYMENT

    def submit(self, payment: Payment | None, *, reviewed: bool, at: datetime) -> None:
        """Paid (or a reply): to the officers when the facility reviews, else on its way at
        once. A payment found for an abandoned message revives it: what was paid is sent."""
        if self.status not in (MessageStatus.AWAITING_PAYMENT, MessageStatus.ABANDONED):
            return
        self._submitted(asdict(payment) if payment is not None else None, _utc(at))
        if not reviewed:
            self._approved(None, _utc(at))
            self.deliver(at)

    @event(Submitted)
    def _submitted(self, payment: dict[str, Any] | None, submitted_at: datetime) -> None:
        self.payment = _payment(payment)
        self.submitted_at = submitted_at
        self.status = MessageStatus.PENDING_REVIEW

    def abandon(self, at: datetime) -> None:
        """The payment never happened: nothing is sent."""
        if self.status is MessageStatus.AWAITING_PAYMENT:
            self._abandoned(_utc(at))

    @event(Abandoned)
    def _abandoned(self, abandoned_at: datetime) -> None:
        self.status = MessageStatus.ABANDONED

    def check_pending_review(self) -> None:
        if self.status in DECIDED:
            raise MessageAlreadyDecided()
        if self.status is not MessageStatus.PENDING_REVIEW:
            raise MessageNotPendingReview()

    def approve(self, officer: str, at: datetime) -> None:
        self.check_pending_review()
        self._approved(officer, _utc(at))

    @event(Approved)
    def _approved(self, officer: str | None, approved_at: datetime) -> None:
        self.status = MessageStatus.APPROVED
        self.decided_by = officer
        self.decided_at = approved_at

    def reject(self, officer: str, reason: str, at: datetime) -> None:
        self.check_pending_review()
        if not reason.strip():
            raise RejectionReasonMissing()
        self._rejected(officer, reason.strip(), _utc(at))

    @event(Rejected)
    def _rejected(self, officer: str, reason: str, rejected_at: datetime) -> None:
        self.status = MessageStatus.REJECTED
        self.decided_by = officer
        self.decided_at = rejected_at
        self.rejection_reason = reason

    def deliver(self, at: datetime) -> None:
        """To the resident, or to the family member's inbox; only an approved message."""
        if self.status is MessageStatus.APPROVED:
            self._delivered(_utc(at))

    @event(Delivered)
    def _delivered(self, delivered_at: datetime) -> None:
        self.status = MessageStatus.DELIVERED
        self.delivered_at = delivered_at

    @property
    def paid_to_open(self) -> bool:
        return not self.collect or self.collect_payment is not None

    def check_viewable(self, now: datetime) -> None:
        """Its body and images may be shown at `now`: not expired, a collect one paid."""
        if not self.viewable(now):
            raise MessageExpired()
        if not self.paid_to_open:
            raise CollectMessageUnpaid()

    def pay_to_open(self, payment: Payment, at: datetime) -> None:
        if not self.paid_to_open:
            self._collect_paid(asdict(payment), _utc(at))

    @event(CollectPaid)
    def _collect_paid(self, payment: dict[str, Any], paid_at: datetime) -> None:
        self.collect_payment = _payment(payment)

    def read(self, at: datetime) -> bool:
        """Its reader opened it; True the first time (MessageRead is published once)."""
        self.check_viewable(at)
        if self.status is not MessageStatus.DELIVERED:
            return False
        self._read(_utc(at))
        return True

    @event(Read)
    def _read(self, read_at: datetime) -> None:
        self.status = MessageStatus.READ
        self.read_at = read_at

    @staticmethod
    def expiry_of(read_at: datetime) -> datetime:
        return _utc(read_at) + EXPIRES_AFTER_READING

    @property
    def expires_at(self) -> datetime | None:
        return self.expiry_of(self.read_at) if self.read_at is not None else None

    def viewable(self, now: datetime) -> bool:
        """Not yet expired at `now`, whether or not the expiry job has recorded it."""
        if self.status is MessageStatus.EXPIRED:
            return False
        return self.expires_at is None or now < self.expires_at

    def status_at(self, now: datetime) -> MessageStatus:
        """The status to show at `now`: expired from its expiry on, even before the job ran."""
        return MessageStatus.EXPIRED if not self.viewable(now) else self.status

    def expire(self, at: datetime) -> bool:
        """Recorded once its time has come; True if it expired now."""
        if self.status is not MessageStatus.READ or self.viewable(at):
            return False
        self._expired(_utc(at))
        return True

    @event(Expired)
    def _expired(self, expired_at: datetime) -> None:
        self.status = MessageStatus.EXPIRED
        self.expired_at = expired_at

    @property
    def reference(self) -> str:
        """The wallet's reference of this message's price (one charge, however often asked)."""
        return f"message:{self.id}"

    @property
    def collect_reference(self) -> str:
        return f"collect:{self.id}"

    def image(self, number: int) -> ImageRef:
        if not 0 <= number < len(self.images):
            raise ImageNotFound()
        return self.images[number]

    def stored_image(self, number: int, *, thumbnail: bool) -> tuple[str, str]:
        """The key and content type of image `number`, or of its thumbnail."""
        image = self.image(number)
        if thumbnail:
            return image.thumbnail_key, image.thumbnail_content_type
        return image.key, image.content_type

    def image_keys(self) -> list[str]:
        return [key for image in self.images for key in (image.key, image.thumbnail_key)]
