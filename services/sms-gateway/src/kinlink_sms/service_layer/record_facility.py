"""FacilityConfigured from identity: a facility's settings, whole, replace what the gateway
knew (whether it offers SMS and MMS, and its prices)."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_kit.eventstore import Tracking
from kinlink_kit.facility_settings import record_facility_configured

from kinlink_sms.service_layer.gateway import SmsGateway


def facility_configured(gateway: SmsGateway, envelope: Envelope, tracking: Tracking) -> None:
    record_facility_configured(gateway.store, envelope, tracking)
