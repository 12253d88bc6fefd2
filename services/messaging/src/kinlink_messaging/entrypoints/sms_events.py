"""What messaging takes from `kinlink.sms.events.v1`: family members' SMS replies, paid by the
SMS gateway on receipt, each made a message to its resident. The handler saves the message with
the event's tracking record, so a redelivered event makes one message; a refused reply is
refunded and dead-lettered with its code."""

from __future__ import annotations

from kinlink_contracts.sms import SmsReplyReceived
from kinlink_kit.consumer import ServiceEventHandler

from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.pass_on_sms_reply import sms_reply_received

SMS_HANDLERS: dict[str, ServiceEventHandler[Messaging]] = {
    SmsReplyReceived.event_type: sms_reply_received,
}
