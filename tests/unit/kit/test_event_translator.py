"""The kit's event translator: only events in its table are published, each in the envelope with
an id derived from the domain event, so that publishing it again keeps the id."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from uuid import uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import AccountActivated
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published


class Member(Aggregate):
    @event("Joined")
    def __init__(self, name: str) -> None:
        self.name = name

    @event("Activated")
    def activate(self) -> None:
        self.active = True


def activated(domain_event: Any) -> Published:
    return Published(f"key-{domain_event.originator_id}", AccountActivated(account_id=UUID(int=7)))


def test_only_events_in_the_table_are_published_with_a_derived_id() -> None:
    store = Application[UUID]()  # in memory
    member = Member("Ada")
    member.activate()
    store.save(member)
    translate = EventTranslator(
        store, "members", "kinlink.members.events.v1", {Member.Activated: activated}
    )
    joined, activation = store.notification_log.select(start=1, limit=10)

    assert translate(joined) is None
    message = translate(activation)
    assert message is not None
    envelope = Envelope.from_bytes(message.value)
    assert (message.topic, message.key) == ("kinlink.members.events.v1", f"key-{member.id}")
    assert envelope.event_id == uuid5(member.id, "2")
    assert (envelope.producer, envelope.correlation_id) == ("members", str(member.id))
    assert envelope.type == AccountActivated.event_type
    again = translate(activation)
    assert again is not None and Envelope.from_bytes(again.value).event_id == envelope.event_id
