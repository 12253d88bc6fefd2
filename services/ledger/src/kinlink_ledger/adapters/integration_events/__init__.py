"""Maps the ledger's stored domain events to the integration events other services read, on
`kinlink.ledger.events.v1`: one module per part of the ledger (deposits, the messaging
subscription's wallet, commissary allowances and orders). Quotes, weeks, histories, facilities'
terms and journal entries are the ledger's own business and stay inside.

The envelope and its derived event id are the kit's (`kinlink_kit.translation`); the events of
one batch are published in the order they were stored, whatever part of the ledger they belong
to.
"""

from __future__ import annotations

from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.translation import EventTranslator

from kinlink_ledger.adapters.integration_events.allowances import allowance_translations
from kinlink_ledger.adapters.integration_events.base import PRODUCER
from kinlink_ledger.adapters.integration_events.base import FirstEvents
from kinlink_ledger.adapters.integration_events.commissary_orders import (
    commissary_order_translations,
)
from kinlink_ledger.adapters.integration_events.deposits import deposit_translations
from kinlink_ledger.adapters.integration_events.wallets import wallet_translations
from kinlink_ledger.service_layer.ledger import LedgerStore

__all__ = ["PRODUCER", "LedgerEventTranslator"]


class LedgerEventTranslator(EventTranslator):
    """The relay's translation: each part's events as that part maps them, the rest nothing.
    `remembered` bounds how many aggregates' first events are kept (see FirstEvents)."""

    def __init__(self, store: LedgerStore, remembered: int = 100_000) -> None:
        first_events = FirstEvents(store, remembered)
        translations = {
            **deposit_translations(first_events),
            **wallet_translations(first_events),
            **allowance_translations(store, first_events),
            **commissary_order_translations(first_events),
        }
        super().__init__(store, PRODUCER, LEDGER_EVENTS, translations)
