"""What the gateway takes from `kinlink.messaging.events.v1`: MessageDelivered, which records
who corresponded with whom and queues a resident's message as SMS. One handler per event type:
each part of its work is saved with the event's tracking record, in one transaction."""

from __future__ import annotations

from kinlink_contracts.messaging import MessageDelivered
from kinlink_kit.consumer import ServiceEventHandler

from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.record_correspondence import message_delivered

MESSAGING_HANDLERS: dict[str, ServiceEventHandler[SmsGateway]] = {
    MessageDelivered.event_type: message_delivered,
}
