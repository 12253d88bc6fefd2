"""A resident's message on its way to a family member's phone as one SMS (or MMS), from queued
to delivered and paid, failed, or not sent (decisions 0044, 0045).

Queued when messaging delivers the message; each attempt is recorded (`sending`, attempt n)
before the carrier is called, then its SID once the carrier accepts it (`sent`). The carrier's
report decides the rest: delivered, then charged once for the SID delivered; failed, then tried
again later with exponential backoff until the attempts run out, or at once for good where the
number cannot receive SMS. Never charged for what was not delivered.

A SID the SMS does not know yet is taken from a report naming it: the process died between the
carrier's answer and its record, and the callback still names the SMS (`sms:<id>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from uuid import UUID
from uuid import uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment

OUTBOUND_NAMESPACE = UUID("6f0e2b8c-3d71-4a55-b9e2-1c4d7a8e5f93")
# Twilio's codes for a number that cannot receive our SMS: unreachable handset, unknown
# number, landline, not a mobile number. The family member is told to try another number.
UNREACHABLE_CODES = frozenset({30003, 30005, 30006, 21614})
OPTED_OUT_CODE = 21610  # the number sent STOP: the carrier refuses until START
# The first retry waits this long, each next one twice as long as the one before.
FIRST_RETRY_AFTER = timedelta(minutes=1)


class OutboundStatus(StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENDING = "sending"  # the carrier is being asked; its SID not recorded yet
    SENT = "sent"  # the carrier has it (SID), no final report yet
    DELIVERED = "delivered"  # charged once `payment` is set
    FAILED = "failed"  # for good; never charged
    NOT_SENT = "not_sent"  # nothing was sent nor charged


class Failure(StrEnum):
    """Why an SMS failed or was not sent (stable codes in events and history)."""

    CARRIER_ERROR = "carrier_error"
    NUMBER_UNREACHABLE = "number_unreachable"
    NUMBER_OPTED_OUT = "number_opted_out"
    INSUFFICIENT_CREDIT = "insufficient_credit"
    SMS_OFF = "sms_off"  # turned off since the message was queued
    MESSAGE_GONE = "message_gone"  # messaging no longer gives it (expired)


def failure_of(carrier_error_code: int | None) -> Failure:
    """What a carrier's error code means for the number."""
    if carrier_error_code in UNREACHABLE_CODES:
        return Failure.NUMBER_UNREACHABLE
    if carrier_error_code == OPTED_OUT_CODE:
        return Failure.NUMBER_OPTED_OUT
    return Failure.CARRIER_ERROR


def retry_delay(attempt: int) -> timedelta:
    """How long after failed attempt `attempt` (from 1) the next one is made."""
    return FIRST_RETRY_AFTER * 2 ** (attempt - 1)


@dataclass(frozen=True)
class SmsContent:
    """What one attempt sends: the text as sent, its count, and where from and to."""

    to: str  # the family member's verified number, E.164
    from_: str  # the conversation's Kinlink number
    body: str
    segments: int
    encoding: str  # Encoding's value (gsm7, ucs2)
    pictures: int
    price_cents: int  # what delivery will cost, at the facility's prices when sent


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


class OutboundSms(Aggregate):
    class Queued(Aggregate.Created):
        account_id: UUID
        facility_id: str
        resident_id: str
        message_id: UUID
        queued_at: datetime

    class AttemptStarted(Aggregate.Event):
        attempt: int
        to: str
        from_: str
        body: str
        segments: int
        encoding: str
        pictures: int
        price_cents: int
        started_at: datetime

    class Sent(Aggregate.Event):
        sid: str
        sent_at: datetime

    class AttemptFailed(Aggregate.Event):
        """This attempt did not deliver; the next one is made at `retry_at`."""

        carrier_error_code: int | None
        retry_at: datetime

    class Failed(Aggregate.Event):
        reason: str
        carrier_error_code: int | None
        failed_at: datetime

    class Delivered(Aggregate.Event):
        sid: str
        delivered_at: datetime

    class Paid(Aggregate.Event):
        reference: str
        amount_cents: int
        balance_after_cents: int
        paid_at: datetime

    class NotSent(Aggregate.Event):
        reason: str
        at: datetime

    @staticmethod
    def create_id(message_id: UUID, account_id: UUID) -> UUID:
        """One resident's message is one SMS to that account, however often it is delivered."""
        return uuid5(OUTBOUND_NAMESPACE, f"outbound/{message_id}/{account_id}")

    @classmethod
    def queue(
        cls, account_id: UUID, facility_id: str, resident_id: str, message_id: UUID, at: datetime
    ) -> OutboundSms:
        return cls._create(
            cls.Queued,
            id=cls.create_id(message_id, account_id),
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            message_id=message_id,
            queued_at=_utc(at),
        )

    @event(Queued)
    def __init__(
        self,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        message_id: UUID,
        queued_at: datetime,
    ) -> None:
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.message_id = message_id
        self.queued_at = queued_at
        self.status = OutboundStatus.QUEUED
        self.next_attempt_at = queued_at
        self.attempt = 0
        self.content: SmsContent | None = None
        self.attempt_started_at: datetime | None = None
        self.sid: str | None = None  # the attempt under way's, or the one delivered
        self.sids: list[str] = []  # every attempt's, as learnt
        self.sent_at: datetime | None = None
        self.failure: Failure | None = None
        self.carrier_error_code: int | None = None
        self.finished_at: datetime | None = None
        self.payment: Payment | None = None

    @property
    def callback_reference(self) -> str:
        """What the carrier's status callbacks name this SMS by."""
        return f"sms:{self.id}"

    @property
    def payment_reference(self) -> str:
        """The wallet's reference: the SID delivered, charged once."""
        assert self.status is OutboundStatus.DELIVERED and self.sid is not None
        return f"sms:{self.sid}"

    def due(self, now: datetime) -> bool:
        return self.status is OutboundStatus.QUEUED and self.next_attempt_at <= now

    @property
    def unpaid_delivery(self) -> bool:
        return self.status is OutboundStatus.DELIVERED and self.payment is None

    def start_attempt(self, content: SmsContent, at: datetime) -> None:
        """Recorded before the carrier is called: a process dying meanwhile leaves it
        `sending`, never queued again behind the carrier's back."""
        assert self.due(at), "only a due SMS is sent"
        self._attempt_started(
            self.attempt + 1,
            content.to,
            content.from_,
            content.body,
            content.segments,
            content.encoding,
            content.pictures,
            content.price_cents,
            _utc(at),
        )

    @event(AttemptStarted)
    def _attempt_started(
        self,
        attempt: int,
        to: str,
        from_: str,
        body: str,
        segments: int,
        encoding: str,
        pictures: int,
        price_cents: int,
        started_at: datetime,
    ) -> None:
        self.attempt = attempt
        self.content = SmsContent(to, from_, body, segments, encoding, pictures, price_cents)
        self.attempt_started_at = started_at
        self.sid = None
        self.status = OutboundStatus.SENDING

    def sent(self, sid: str, at: datetime) -> None:
        """The carrier took it; a SID learnt already (from a report) is not replaced."""
        if self.status is OutboundStatus.SENDING:
            self._sent(sid, _utc(at))

    @event(Sent)
    def _sent(self, sid: str, sent_at: datetime) -> None:
        self.sid = sid
        self.sids.append(sid)
        self.sent_at = sent_at
        self.status = OutboundStatus.SENT

    def attempt_failed(
        self, carrier_error_code: int | None, at: datetime, *, attempts: int
    ) -> None:
        """The attempt under way failed (refused, or reported failed): tried again later,
        unless the number cannot receive SMS or this was the last attempt."""
        if self.status not in (OutboundStatus.SENDING, OutboundStatus.SENT):
            return
        failure = failure_of(carrier_error_code)
        if failure is Failure.CARRIER_ERROR and self.attempt < attempts:
            self._attempt_failed(carrier_error_code, _utc(at) + retry_delay(self.attempt))
        else:
            self._failed(failure.value, carrier_error_code, _utc(at))

    @event(AttemptFailed)
    def _attempt_failed(self, carrier_error_code: int | None, retry_at: datetime) -> None:
        self.carrier_error_code = carrier_error_code
        self.next_attempt_at = retry_at
        self.status = OutboundStatus.QUEUED

    @event(Failed)
    def _failed(self, reason: str, carrier_error_code: int | None, failed_at: datetime) -> None:
        self.failure = Failure(reason)
        self.carrier_error_code = carrier_error_code
        self.finished_at = failed_at
        self.status = OutboundStatus.FAILED

    def report(
        self,
        sid: str,
        status: CarrierStatus,
        carrier_error_code: int | None,
        at: datetime,
        *,
        attempts: int,
    ) -> bool:
        """The carrier's report on `sid`; True when it was delivered now (then charge it).

        A delivery of any of this SMS's attempts counts once, the first; a failure counts only
        for the attempt under way (an earlier attempt's late report changes nothing)."""
        if self.status is OutboundStatus.SENDING and sid not in self.sids:
            self.sent(sid, at)  # the SID whose record a dying process never wrote
        if status is CarrierStatus.DELIVERED:
            if self.status not in (OutboundStatus.QUEUED, OutboundStatus.SENT):
                return False
            self._delivered(sid, _utc(at))
            return True
        if status in (CarrierStatus.FAILED, CarrierStatus.UNDELIVERED) and sid == self.sid:
            self.attempt_failed(carrier_error_code, at, attempts=attempts)
        return False

    @event(Delivered)
    def _delivered(self, sid: str, delivered_at: datetime) -> None:
        self.sid = sid
        self.finished_at = delivered_at
        self.status = OutboundStatus.DELIVERED

    def pay(self, payment: Payment, at: datetime) -> None:
        if self.unpaid_delivery:
            self._paid(
                payment.reference, payment.amount_cents, payment.balance_after_cents, _utc(at)
            )

    @event(Paid)
    def _paid(
        self, reference: str, amount_cents: int, balance_after_cents: int, paid_at: datetime
    ) -> None:
        self.payment = Payment(reference, amount_cents, balance_after_cents)

    def not_sent(self, reason: Failure, at: datetime) -> None:
        """Nothing goes out (no credit, the number opted out, SMS turned off): only a queued
        SMS, whose attempt is not under way."""
        if self.status is OutboundStatus.QUEUED:
            self._not_sent(reason.value, _utc(at))

    @event(NotSent)
    def _not_sent(self, reason: str, at: datetime) -> None:
        self.failure = Failure(reason)
        self.finished_at = at
        self.status = OutboundStatus.NOT_SENT
