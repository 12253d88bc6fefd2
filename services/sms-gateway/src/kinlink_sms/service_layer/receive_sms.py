"""An SMS a family phone sent to a Kinlink number, as the webhook hands it over, and the answer
to send back (TwiML), or None for none (decision 0046):

- a keyword (STOP, START, HELP and synonyms) is handled by `handle_keyword`: never charged, never
  passed on;
- a reply is routed by (From, To) to its conversation; none, or one whose SMS are off: a plain
  answer, nothing charged; a phone that sent STOP gets no answer at all;
- pictures where the facility has no `mms_available`, or against its image rules (fetched from
  the carrier first): refused, with an answer saying which rule, nothing charged;
- otherwise it is saved received, then charged all at once (`charge_reply`): paid, passed on
  to messaging; without credit, refused with an answer telling them to refill.

The same MessageSid posted again has no second effect and gets the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import SMS_INBOUND

from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.inbound_sms import RefusalReason
from kinlink_sms.domain.keywords import keyword_in
from kinlink_sms.domain.number_route import NumberRoute
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import WalletUnavailable
from kinlink_sms.domain.reply_pictures import ReplyPicture
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.charge_reply import charge_reply
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.handle_keyword import handle_keyword
from kinlink_sms.service_layer.reply_pictures import fetch_reply_pictures

log = get_logger(__name__)

NOT_ROUTED = (
    "Kinlink: this number does not know you. To reply to a resident by SMS, turn SMS on for "
    "them on Kinlink."
)
TURNED_OFF = (
    "Kinlink: SMS for this resident are off, so your reply was not delivered. Turn them on "
    "again on Kinlink."
)
NO_PICTURES = (
    "Kinlink: pictures cannot reach a resident by SMS, so your reply was not delivered. Send it "
    "again without them, or send your photos on Kinlink."
)
_RESEND = "Your reply was not delivered: send it again without it, or send it on Kinlink."
TOO_MANY_PICTURES = (
    "Kinlink: your reply has more pictures than the facility takes in one message, so it was "
    "not delivered. Send them in several replies, or on Kinlink."
)
BODY_MISSING = (
    "Kinlink: a reply with pictures needs a few words too, so it was not delivered. Send it "
    "again with a line of text."
)
PICTURE_TYPE_REFUSED = f"Kinlink: a picture is of a kind the facility does not take. {_RESEND}"
PICTURE_TOO_LARGE = f"Kinlink: a picture is larger than the facility takes. {_RESEND}"
PICTURE_UNREADABLE = f"Kinlink: a picture could not be read from your carrier. {_RESEND}"
REFILL = (
    "Kinlink: your reply was not delivered: your messaging subscription does not cover it. "
    "Refill it on Kinlink, then send it again."
)
ANSWERS = {
    RefusalReason.INSUFFICIENT_CREDIT: REFILL,
    RefusalReason.MMS_UNAVAILABLE: NO_PICTURES,
    RefusalReason.BODY_MISSING: BODY_MISSING,
    RefusalReason.TOO_MANY_PICTURES: TOO_MANY_PICTURES,
    RefusalReason.PICTURE_TYPE_REFUSED: PICTURE_TYPE_REFUSED,
    RefusalReason.PICTURE_TOO_LARGE: PICTURE_TOO_LARGE,
    RefusalReason.PICTURE_UNREADABLE: PICTURE_UNREADABLE,
}


@dataclass(frozen=True)
class _Answer:
    outcome: str  # what the gateway did with the SMS, as counted in SMS_INBOUND
    text: str | None  # what the phone is answered, if anything


def receive_sms(gateway: SmsGateway, sms: ReceivedSms) -> str | None:
    """The answer to send back to the phone, or None. The webhook's inbound handler."""
    answer = _answer(gateway, sms)
    SMS_INBOUND.labels(answer.outcome).inc()
    return answer.text


def _answer(gateway: SmsGateway, sms: ReceivedSms) -> _Answer:
    inbound = gateway.find(InboundSms.create_id(sms.sid), InboundSms)
    if inbound is None:
        if (keyword := keyword_in(sms.body)) is not None:
            return _Answer("keyword", handle_keyword(gateway, sms.from_, sms.to, keyword))
        conversation = _conversation(gateway, sms.from_, sms.to)
        if isinstance(conversation, _Answer):
            return conversation
        if not sms.body.strip() and not sms.pictures:
            return _Answer("empty", None)  # nothing to pass on
        inbound = _received(gateway, sms, conversation)
    if inbound.status is InboundStatus.RECEIVED:
        try:
            inbound = charge_reply(gateway, inbound.id)
        except WalletUnavailable:
            # Said nothing of: the settle sweep charges it once the ledger answers.
            log.warning("sms reply not charged yet: the ledger is unreachable", sid=sms.sid)
            return _Answer("awaiting_charge", None)
    if inbound.refusal is not None:
        return _Answer(inbound.refusal.value, ANSWERS[inbound.refusal])
    return _Answer("passed_on", None)


def _conversation(
    gateway: SmsGateway, phone_number: str, kinlink_number: str
) -> SmsSubscription | _Answer:
    """The subscription a reply is for, else what to answer."""
    phone = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber, to_change=False)
    if phone is not None and phone.opted_out:
        # After STOP nothing is sent to the phone, not even an answer.
        return _Answer("opted_out", None)
    route = gateway.find(
        NumberRoute.create_id(phone_number, kinlink_number), NumberRoute, to_change=False
    )
    if route is None:
        return _Answer("not_routed", NOT_ROUTED)
    subscription = gateway.find(route.subscription_id, SmsSubscription, to_change=False)
    if (
        subscription is None
        or not subscription.sends_to(phone_number, kinlink_number)
        or not gateway.directory.facility(subscription.facility_id).sms_available
    ):
        return _Answer("sms_off", TURNED_OFF)
    return subscription


def _received(gateway: SmsGateway, sms: ReceivedSms, conversation: SmsSubscription) -> InboundSms:
    """The reply saved received with its pictures kept, before any charge (refused at once when
    its pictures cannot reach the resident); the one a concurrent post of the same SMS saved
    first if it won. Its segments are counted as PreviewSms counted them for the family member,
    not as the phone says it split them."""
    counted = count_segments(sms.body)
    inbound_id = InboundSms.create_id(sms.sid)
    pictures = _pictures(gateway, inbound_id, sms, conversation.facility_id)

    def attempt() -> InboundSms:
        inbound = InboundSms(
            sms.sid,
            conversation.account_id,
            conversation.facility_id,
            conversation.resident_id,
            sms.body,
            counted.segments,
            counted.encoding.value,
            len(sms.pictures),
            gateway.clock(),
        )
        if isinstance(pictures, RefusalReason):
            inbound.refuse(pictures, gateway.clock())
        else:
            inbound.keep_pictures(pictures)
        gateway.store.save(inbound)
        return inbound

    return gateway.retrying(attempt, on_conflict=lambda: gateway.find(inbound_id, InboundSms))


def _pictures(
    gateway: SmsGateway, inbound_id: UUID, sms: ReceivedSms, facility_id: str
) -> tuple[ReplyPicture, ...] | RefusalReason:
    """The reply's pictures fetched and kept, or why they cannot reach the resident."""
    if not sms.pictures:
        return ()
    facility = gateway.directory.facility(facility_id)
    if not facility.mms_available:
        return RefusalReason.MMS_UNAVAILABLE
    if not sms.body.strip():
        return RefusalReason.BODY_MISSING
    kept = fetch_reply_pictures(gateway, inbound_id, sms.pictures, facility.image_rules)
    return kept if isinstance(kept, tuple) else RefusalReason(kept.value)
