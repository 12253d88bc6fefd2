"""Every read model of the commissary, over one view store."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore

from kinlink_commissary.adapters.allowances_view import AllowancesProjection
from kinlink_commissary.adapters.fulfilment_view import FulfilmentView
from kinlink_commissary.adapters.orders_view import OrdersProjection


@dataclass
class CommissaryViews:
    store: ViewStore
    allowances: AllowancesProjection
    orders: OrdersProjection
    fulfilment: FulfilmentView  # over the orders' view

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> CommissaryViews:
        orders = OrdersProjection(app, store)
        return cls(
            store=store,
            allowances=AllowancesProjection(app, store),
            orders=orders,
            fulfilment=FulfilmentView(orders),
        )

    @property
    def projections(self) -> list[Projection]:
        return [self.allowances, self.orders]

    def follower(self) -> ProjectionGroup:
        """One reader of the commissary's log for all of them (the service runs it)."""
        return ProjectionGroup(self.allowances.app, self.projections)

    def close(self) -> None:
        self.store.close()
