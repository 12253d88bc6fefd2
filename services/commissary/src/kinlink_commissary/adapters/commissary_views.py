"""Every read model of the commissary, over one view store."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore


@dataclass
class CommissaryViews:
    store: ViewStore
    app: TrackedApplication
    projections: list[Projection] = field(default_factory=list)

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> CommissaryViews:
        return cls(store=store, app=app)

    def follower(self) -> ProjectionGroup:
        """One reader of the commissary's log for all of them (the service runs it)."""
        return ProjectionGroup(self.app, self.projections)

    def close(self) -> None:
        self.store.close()
