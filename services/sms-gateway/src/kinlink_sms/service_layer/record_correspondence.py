"""MessageDelivered from messaging, either way: the family member and the resident have
corresponded, so SMS may be set up between them; a resident's message is queued as SMS where
it is on (`queue_sms`)."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.messaging import MessageDelivered
from kinlink_kit.eventstore import Tracking

from kinlink_sms.domain.correspondence import Correspondence
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.queue_sms import sms_to_queue


def new_correspondence(gateway: SmsGateway, delivered: MessageDelivered) -> list[Correspondence]:
    """The correspondence to record, or nothing when it is known already."""
    entry_id = Correspondence.create_id(
        delivered.account_id, delivered.facility_id, delivered.resident_id
    )
    if gateway.find(entry_id, Correspondence) is not None:
        return []
    return [Correspondence(delivered.account_id, delivered.facility_id, delivered.resident_id)]


def message_delivered(gateway: SmsGateway, envelope: Envelope, tracking: Tracking) -> None:
    delivered = MessageDelivered.model_validate(envelope.payload)
    gateway.store.save_tracked(
        tracking,
        *new_correspondence(gateway, delivered),
        *sms_to_queue(gateway, delivered, envelope.occurred_at),
    )
