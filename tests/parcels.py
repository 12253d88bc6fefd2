"""A small store of parcels for the kit's tests of what follows an event log (the outbox relay,
the log followers): each parcel is one event, and the store keeps them in memory."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.eventstore import TrackedApplication


class Parcel(Aggregate):
    @event("Sent")
    def __init__(self, label: str) -> None:
        self.label = label


class Depot(TrackedApplication):
    name = "depot"


def in_memory_depot() -> Depot:
    return Depot(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
