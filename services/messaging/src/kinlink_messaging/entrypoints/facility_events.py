"""What messaging takes from `kinlink.facility.events.v1`: residents' replies that a facility's
kiosks and tablets publish instead of calling PostReply. The handler saves the reply with the
event's tracking record, so a redelivered event posts it once; a reply refused (no earlier
message between them, a family member who blocked the resident, an unknown resident) is
dead-lettered with its code."""

from __future__ import annotations

from kinlink_contracts.facility import ResidentMessagePosted
from kinlink_kit.consumer import ServiceEventHandler

from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.post_reply import resident_message_posted

FACILITY_HANDLERS: dict[str, ServiceEventHandler[Messaging]] = {
    ResidentMessagePosted.event_type: resident_message_posted,
}
