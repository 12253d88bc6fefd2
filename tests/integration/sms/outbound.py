"""What the outbound SMS tests start from: a family member with SMS on for a resident, and a
resident's message delivered to them, as messaging's MessageDelivered reaches the gateway."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.consumer import event_tracking
from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.ports import MessageToSend
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.record_correspondence import message_delivered

from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

PHONE = "+15551230001"


def turned_on(
    gateway: SmsGateway,
    account_id: UUID,
    facility_id: str = SMS_FACILITY,
    phone: str = PHONE,
    kinlink_number: str = KINLINK_NUMBERS[0],
    resident_id: str = RESIDENT,
) -> SmsSubscription:
    """SMS on for the resident, the number verified."""
    subscription = SmsSubscription.open(account_id, facility_id, resident_id)
    code = IssuedCode.new()
    now = gateway.clock()
    subscription.start_verification(phone, kinlink_number, CURRENT_SMS_CONSENT_VERSION, code, now)
    assert subscription.confirm(code.code, now)
    gateway.store.save(subscription)
    return subscription


def delivered(
    gateway: SmsGateway,
    outside: SmsOutside,
    account_id: UUID,
    body: str = "See you Sunday",
    *,
    facility_id: str = SMS_FACILITY,
    pictures: int = 0,
    direction: MessageDirection = MessageDirection.FROM_RESIDENT,
    collect: bool = False,
) -> Envelope:
    """A resident's message messaging delivered to the family member (and gives on asking),
    handled by the gateway; the envelope, to deliver it again."""
    message_id = uuid4()
    outside.messages.deliver(
        MessageToSend(
            message_id,
            account_id,
            facility_id,
            RESIDENT,
            "Ada Lovelace",
            body,
            tuple(f"https://images.example/{message_id}/{n}.jpg" for n in range(pictures)),
            pictures,
        )
    )
    event = MessageDelivered(
        message_id=message_id,
        facility_id=facility_id,
        resident_id=RESIDENT,
        account_id=account_id,
        direction=direction,
        collect=collect,
    )
    envelope = Envelope.wrap(
        event,
        key=RESIDENT,
        producer="messaging",
        correlation_id="test",
        occurred_at=gateway.clock(),
    )
    handle(gateway, envelope)
    return envelope


def handle(gateway: SmsGateway, envelope: Envelope) -> None:
    """As the gateway's consumer handles it, once per event id."""
    tracking = event_tracking(envelope.event_id)
    if not gateway.store.has_processed(tracking):
        message_delivered(gateway, envelope, tracking)


def family(outside: SmsOutside, cents: int = 100) -> UUID:
    account_id = uuid4()
    outside.wallet.fund(account_id, cents)
    return account_id


def sent_to_phone(gateway: SmsGateway, outside: SmsOutside) -> tuple[UUID, str, str]:
    """A family member with SMS on and $1.00, a resident's message sent to their phone: the
    account, the SID and the reference the carrier's callbacks name."""
    account = family(outside)
    turned_on(gateway, account)
    delivered(gateway, outside, account)
    dispatch_due(gateway)
    ((sid, sent),) = outside.carrier.sent
    return account, sid, sent.reference


def only(gateway: SmsGateway, account_id: UUID) -> OutboundSms:
    """The account's one outbound SMS, as stored."""
    found = [sms for sms in outbound_all(gateway) if sms.account_id == account_id]
    assert len(found) == 1, found
    return found[0]


def outbound_all(gateway: SmsGateway) -> list[OutboundSms]:
    """Every outbound SMS, as stored."""
    gateway.views.outbound.catch_up()
    rows = gateway.views.outbound.views.query("SELECT sms_id FROM outbound_sms", {})
    found = [gateway.find(UUID(row["sms_id"]), OutboundSms) for row in rows]
    return [sms for sms in found if sms is not None]
