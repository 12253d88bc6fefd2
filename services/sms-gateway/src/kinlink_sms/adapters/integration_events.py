"""The gateway's domain events as integration events on kinlink.sms.events.v1, keyed by
resident id. No event carries a phone number."""

from __future__ import annotations

from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Translation

from kinlink_sms.service_layer.gateway import SmsStore


class SmsEventTranslator(EventTranslator):
    def __init__(self, store: SmsStore) -> None:
        translations: dict[type, Translation] = {}
        super().__init__(store, "sms-gateway", SMS_EVENTS, translations)
