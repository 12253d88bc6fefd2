"""The commissary's domain events as the integration events of `kinlink_contracts.commissary`,
published on kinlink.commissary.events.v1 keyed by resident id (decision 0009's envelope)."""

from __future__ import annotations

from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Translation

from kinlink_commissary.adapters.order_events import order_translations
from kinlink_commissary.service_layer.commissary import CommissaryStore


class CommissaryEventTranslator(EventTranslator):
    def __init__(self, store: CommissaryStore) -> None:
        translations: dict[type, Translation] = {**order_translations(store)}
        super().__init__(store, "commissary", COMMISSARY_EVENTS, translations)
