"""Every read model of messaging, over one view store."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore

from kinlink_messaging.adapters.drafts_view import DraftsProjection
from kinlink_messaging.adapters.messages_view import MessagesProjection


@dataclass
class MessagingViews:
    store: ViewStore
    messages: MessagesProjection
    drafts: DraftsProjection

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> MessagingViews:
        return cls(
            store=store,
            messages=MessagesProjection(app, store),
            drafts=DraftsProjection(app, store),
        )

    @property
    def projections(self) -> list[Projection]:
        return [self.messages, self.drafts]

    def follower(self) -> ProjectionGroup:
        """One reader of messaging's log for all of them (the service runs it)."""
        return ProjectionGroup(self.messages.app, self.projections)

    def close(self) -> None:
        self.store.close()
