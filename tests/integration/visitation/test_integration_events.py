"""Every event of a visit's life as visitation publishes it, on both stores: each domain event
that changes what others should know becomes its contract's event, keyed by the resident and
valid against it; a side alone joining or leaving publishes nothing."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from kinlink_contracts import visitation as contract
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import VISITATION_EVENTS
from kinlink_visitation.adapters.integration_events import VisitationEventTranslator
from kinlink_visitation.domain.visit import CreditReason
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import RESIDENT
from tests.visitation_doubles import local
from tests.visitation_doubles import schedule


def published(visitation: Visitation) -> list[Envelope]:
    translate = VisitationEventTranslator(visitation.store)
    notifications = visitation.store.tracking.select_notifications(1, 1000)
    messages = [message for n in notifications if (message := translate(n)) is not None]
    assert {(m.topic, m.key) for m in messages} == {(VISITATION_EVENTS, RESIDENT)}
    return [Envelope.from_bytes(m.value) for m in messages]


def test_a_visit_s_life_is_published_event_by_event(visitation: Visitation) -> None:
    visit = schedule(visitation, uuid4(), local(FRIDAY, 9))
    lived = visitation.store.repository.get(visit.id)
    start = visit.starts_at
    lived.joined(Side.VISITOR, start)  # alone: nothing to tell
    lived.joined(Side.STATION, start + timedelta(seconds=10))
    lived.minute_charged(1, 25, f"visit:{visit.visit_id}:minute:1")
    lived.left(Side.STATION, start + timedelta(seconds=40), ours=True)
    lived.joined(Side.STATION, start + timedelta(seconds=70))
    lived.minute_charged(2, 25, f"visit:{visit.visit_id}:minute:2")
    lived.credited(25, CreditReason.CUT_SHORT, f"visit:{visit.visit_id}:minute:2")
    lived.end(EndReason.OFFICER_ENDED, start + timedelta(seconds=100), "Count")
    visitation.store.save(lived)

    envelopes = published(visitation)

    assert [e.type for e in envelopes] == [
        "CallScheduled",
        "CallStarted",
        "CallMinuteCharged",
        "CallInterrupted",
        "CallResumed",
        "CallMinuteCharged",
        "CallCredited",
        "CallEnded",
    ]
    by_type = {event.event_type: event for event in EVENTS_BY_TOPIC[VISITATION_EVENTS]}
    events = [by_type[e.type].model_validate(e.payload) for e in envelopes]
    assert all(
        (event.visit_id, event.resident_id) == (visit.visit_id, RESIDENT)  # type: ignore[attr-defined]
        for event in events
    )
    interrupted = events[3]
    assert isinstance(interrupted, contract.CallInterrupted)
    assert (interrupted.side, interrupted.ours) == (contract.InterruptedSide.STATION, True)
    ended = events[-1]
    assert isinstance(ended, contract.CallEnded)
    assert (ended.reason, ended.connected_seconds) == (contract.EndReason.OFFICER_ENDED, 60)
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (2, 50, 25)
    # Each published event keeps one id however often it is relayed.
    assert [e.event_id for e in published(visitation)] == [e.event_id for e in envelopes]
