"""A family member's SMS to a Kinlink number, from its receipt to its end: charged on receipt,
all its segments (and pictures) at once, then passed on to messaging as a reply to the resident;
or refused (no credit, pictures where the facility takes none or against its image rules), the
family member told why in the webhook's answer (decision 0046).

Its id is derived from Twilio's MessageSid, so the same SMS webhooked again lands on it and has
no second effect. It is saved received before the wallet is charged: a process that stops
between the two leaves it received, and the settle sweep charges again under the same
reference, which the ledger charges once.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_sms.domain.ids import inbound_sms_id
from kinlink_sms.domain.ports import ChargeItem
from kinlink_sms.domain.ports import ChargeKind
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.reply_pictures import PictureRefusal
from kinlink_sms.domain.reply_pictures import ReplyPicture


class InboundStatus(StrEnum):
    RECEIVED = "received"  # saved, not charged yet (or the charge's answer was lost)
    PASSED_ON = "passed_on"  # paid, and on its way to messaging
    REFUSED = "refused"


class RefusalReason(StrEnum):
    INSUFFICIENT_CREDIT = "insufficient_credit"
    MMS_UNAVAILABLE = "mms_unavailable"  # pictures sent where the facility takes none
    # Pictures without a word: SmsReplyReceived carries a text, as every message has one.
    BODY_MISSING = "body_missing"
    # Pictures against the facility's image rules (PictureRefusal).
    TOO_MANY_PICTURES = PictureRefusal.TOO_MANY_PICTURES.value
    PICTURE_TYPE_REFUSED = PictureRefusal.PICTURE_TYPE_REFUSED.value
    PICTURE_TOO_LARGE = PictureRefusal.PICTURE_TOO_LARGE.value
    PICTURE_UNREADABLE = PictureRefusal.PICTURE_UNREADABLE.value


class InboundSms(Aggregate):
    class Received(Aggregate.Created):
        sid: str
        account_id: UUID
        facility_id: str
        resident_id: str
        body: str
        segments: int
        encoding: str
        pictures: int
        received_at: datetime

    class PicturesKept(Aggregate.Event):
        pictures: list[dict[str, object]]  # ReplyPicture's fields

    class PassedOn(Aggregate.Event):
        payment_reference: str
        amount_cents: int
        passed_on_at: datetime

    class Refused(Aggregate.Event):
        reason: str
        refused_at: datetime

    @staticmethod
    def create_id(sid: str, **_: object) -> UUID:
        return inbound_sms_id(sid)

    @event(Received)
    def __init__(
        self,
        sid: str,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        body: str,
        segments: int,
        encoding: str,
        pictures: int,
        received_at: datetime,
    ) -> None:
        self.sid = sid
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.body = body
        self.segments = segments
        self.encoding = encoding
        self.pictures = pictures
        self.received_at = received_at.astimezone(UTC)
        self.status = InboundStatus.RECEIVED
        self.payment_reference: str | None = None
        self.amount_cents = 0
        self.refusal: RefusalReason | None = None
        self.kept: tuple[ReplyPicture, ...] = ()

    @property
    def reference(self) -> str:
        """The wallet's reference of its price: one charge however often it is asked."""
        return f"sms:{self.sid}"

    @property
    def items(self) -> tuple[ChargeItem, ...]:
        """What it costs: every segment, and every picture."""
        items = (ChargeItem(ChargeKind.SMS_SEGMENT, self.segments),)
        return items + ((ChargeItem(ChargeKind.MMS, self.pictures),) if self.pictures else ())

    def keep_pictures(self, pictures: tuple[ReplyPicture, ...]) -> None:
        """The pictures fetched from the carrier and kept, checked against the image rules."""
        if pictures and self.status is InboundStatus.RECEIVED and not self.kept:
            self._pictures_kept([asdict(picture) for picture in pictures])

    @event(PicturesKept)
    def _pictures_kept(self, pictures: list[dict[str, object]]) -> None:
        self.kept = tuple(ReplyPicture(**picture) for picture in pictures)  # type: ignore[arg-type]

    def pass_on(self, payment: Payment, at: datetime) -> None:
        """Paid: handed to messaging (SmsReplyReceived). Once; a refused one stays refused."""
        if self.status is InboundStatus.RECEIVED:
            self._passed_on(payment.reference, payment.amount_cents, at.astimezone(UTC))

    @event(PassedOn)
    def _passed_on(self, payment_reference: str, amount_cents: int, passed_on_at: datetime) -> None:
        self.status = InboundStatus.PASSED_ON
        self.payment_reference = payment_reference
        self.amount_cents = amount_cents

    def refuse(self, reason: RefusalReason, at: datetime) -> None:
        """Not passed on, nothing charged. Once; one passed on stays passed on."""
        if self.status is InboundStatus.RECEIVED:
            self._refused(reason.value, at.astimezone(UTC))

    @event(Refused)
    def _refused(self, reason: str, refused_at: datetime) -> None:
        self.status = InboundStatus.REFUSED
        self.refusal = RefusalReason(reason)
