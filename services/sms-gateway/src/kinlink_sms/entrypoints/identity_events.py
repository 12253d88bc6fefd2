"""What the gateway takes from `kinlink.identity.events.v1`: each facility's settings (whether
it offers SMS and MMS, and its prices). Each handler saves its effect with the event's tracking
record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.consumer import ServiceEventHandler

from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.record_facility import facility_configured

IDENTITY_HANDLERS: dict[str, ServiceEventHandler[SmsGateway]] = {
    FacilityConfigured.event_type: facility_configured,
}
