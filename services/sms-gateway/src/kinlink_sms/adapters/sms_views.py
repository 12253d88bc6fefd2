"""Every read model of the SMS gateway, over one view store."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore

from kinlink_sms.adapters.inbound_view import InboundProjection
from kinlink_sms.adapters.outbound_view import OutboundProjection
from kinlink_sms.adapters.sms_history_view import SmsHistoryProjection


@dataclass
class SmsViews:
    store: ViewStore
    app: TrackedApplication
    inbound: InboundProjection
    outbound: OutboundProjection
    history: SmsHistoryProjection
    projections: list[Projection] = field(default_factory=list)

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> SmsViews:
        inbound = InboundProjection(app, store)
        outbound = OutboundProjection(app, store)
        history = SmsHistoryProjection(app, store)
        return cls(
            store=store,
            app=app,
            inbound=inbound,
            outbound=outbound,
            history=history,
            projections=[inbound, outbound, history],
        )

    def follower(self) -> ProjectionGroup:
        """One reader of the gateway's log for all of them (the service runs it)."""
        return ProjectionGroup(self.app, self.projections)

    def close(self) -> None:
        self.store.close()
