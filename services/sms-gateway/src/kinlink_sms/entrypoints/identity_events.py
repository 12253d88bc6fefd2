"""What the gateway takes from `kinlink.identity.events.v1`: each facility's settings (whether
it offers SMS and MMS, and its prices). Each handler saves its effect with the event's tracking
record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_kit.consumer import ServiceEventHandler

from kinlink_sms.service_layer.gateway import SmsGateway

IDENTITY_HANDLERS: dict[str, ServiceEventHandler[SmsGateway]] = {}
