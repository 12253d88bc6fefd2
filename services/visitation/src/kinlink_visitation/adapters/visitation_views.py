"""Every read model of visitation, over one view store."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore

from kinlink_visitation.adapters.refund_requests_view import RefundRequestsProjection
from kinlink_visitation.adapters.visits_view import VisitsProjection


@dataclass
class VisitationViews:
    store: ViewStore
    visits: VisitsProjection
    refund_requests: RefundRequestsProjection

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> VisitationViews:
        return cls(
            store=store,
            visits=VisitsProjection(app, store),
            refund_requests=RefundRequestsProjection(app, store),
        )

    @property
    def projections(self) -> list[Projection]:
        return [self.visits, self.refund_requests]

    def follower(self) -> ProjectionGroup:
        """One reader of visitation's log for all of them (the service runs it)."""
        return ProjectionGroup(self.visits.app, self.projections)

    def close(self) -> None:
        self.store.close()
