"""Every read model of the SMS gateway, over one view store."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore


@dataclass
class SmsViews:
    store: ViewStore
    app: TrackedApplication
    # The SMS history (sent and received, per account) is added here as a projection.
    projections: list[Projection] = field(default_factory=list)

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> SmsViews:
        return cls(store=store, app=app)

    def follower(self) -> ProjectionGroup:
        """One reader of the gateway's log for all of them (the service runs it)."""
        return ProjectionGroup(self.app, self.projections)

    def close(self) -> None:
        self.store.close()
