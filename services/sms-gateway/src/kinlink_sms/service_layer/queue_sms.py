"""A resident's message delivered to a family member becomes an SMS to their phone when SMS is
on for that resident at a facility offering it: queued, saved with the MessageDelivered's
tracking record (so it is queued once however often the event comes), then sent by the
dispatcher (`dispatch_sms`). A collect message is not: the family member pays to open it, nor
one delivered before SMS went on: the family asked for SMS from then on."""

from __future__ import annotations

from datetime import datetime

from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection

from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.ports import FacilityNotFound
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsGateway


def sms_to_queue(
    gateway: SmsGateway, delivered: MessageDelivered, delivered_at: datetime
) -> list[OutboundSms]:
    """The SMS to queue for this delivery, or nothing."""
    if delivered.direction is not MessageDirection.FROM_RESIDENT or delivered.collect:
        return []
    subscription = gateway.find(
        SmsSubscription.create_id(
            delivered.account_id, delivered.facility_id, delivered.resident_id
        ),
        SmsSubscription,
    )
    if subscription is None or not subscription.texts_message_delivered_at(delivered_at):
        return []
    try:
        if not gateway.directory.facility(delivered.facility_id).sms_available:
            return []
    except FacilityNotFound:  # SMS was turned on there, so identity's news is only late
        return []
    sms_id = OutboundSms.create_id(delivered.message_id, delivered.account_id)
    if gateway.find(sms_id, OutboundSms) is not None:
        return []
    return [
        OutboundSms.queue(
            delivered.account_id,
            delivered.facility_id,
            delivered.resident_id,
            delivered.message_id,
            gateway.clock(),
        )
    ]
