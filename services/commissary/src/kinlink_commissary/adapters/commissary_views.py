"""Every read model of the commissary, over one view store."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore

from kinlink_commissary.adapters.fulfilment_view import FulfilmentProjection
from kinlink_commissary.adapters.orders_view import OrdersProjection


@dataclass
class CommissaryViews:
    store: ViewStore
    app: TrackedApplication
    fulfilment: FulfilmentProjection
    projections: list[Projection] = field(default_factory=list)

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> CommissaryViews:
        fulfilment = FulfilmentProjection(app, store)
        return cls(store=store, app=app, fulfilment=fulfilment, projections=[fulfilment])

    def follower(self) -> ProjectionGroup:
        """One reader of the commissary's log for all of them (the service runs it)."""
        return ProjectionGroup(self.app, self.projections)

    def close(self) -> None:
        self.store.close()

    @property
    def orders(self) -> OrdersProjection:
        return self._orders

    def __post_init__(self) -> None:
        self._orders = OrdersProjection(self.app, self.store)
        self.projections.append(self._orders)
