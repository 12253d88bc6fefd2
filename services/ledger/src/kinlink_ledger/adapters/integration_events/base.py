"""What the ledger's translations share: the aggregates' first events, which say whose an
aggregate is."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from typing import TypeVar
from uuid import UUID

from kinlink_ledger.service_layer.ledger import LedgerStore

PRODUCER = "ledger"

E = TypeVar("E")


class FirstEvents:
    """Aggregates' first events, remembered (a bounded number) as they go by, so that later
    events can be published without reading the aggregate back from the store."""

    def __init__(self, store: LedgerStore, remembered: int) -> None:
        self.store = store
        self.remembered = remembered
        self._events: OrderedDict[UUID, Any] = OrderedDict()

    def of(self, domain_event: Any, kind: type[E]) -> E:
        """The first event, of type `kind`, of the aggregate `domain_event` belongs to."""
        aggregate_id = domain_event.originator_id
        if isinstance(domain_event, kind):
            first = domain_event
        elif aggregate_id in self._events:
            known = self._events[aggregate_id]
            assert isinstance(known, kind)
            return known
        else:  # published before a restart: read the aggregate's first event back once
            [stored] = self.store.events.get(aggregate_id, lte=1)
            assert isinstance(stored, kind)
            first = stored
        self._events[aggregate_id] = first
        if len(self._events) > self.remembered:
            self._events.popitem(last=False)
        return first

    def remembering(self, domain_event: Any) -> None:
        """A translation for first events nothing is published of."""
        self.of(domain_event, type(domain_event))
