"""Visitation's events on the real Kafka broker and PostgreSQL: a visit booked, another
cancelled and a third missed reach kinlink.visitation.events.v1 keyed by their resident, each as
its contract says, and a join without the other side publishes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import VISITATION_EVENTS
from kinlink_contracts.visitation import CallCancelled
from kinlink_contracts.visitation import CallScheduled
from kinlink_contracts.visitation import CancelledBy
from kinlink_contracts.visitation import VisitKind
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_visitation.adapters.integration_events import VisitationEventTranslator
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.service_layer.cancel_visit import CancelVisit
from kinlink_visitation.service_layer.cancel_visit import cancel_visit
from kinlink_visitation.service_layer.mark_missed import mark_missed_visits
from kinlink_visitation.service_layer.visitation import Visitation

from tests.streams.kafka_helpers import read_topic
from tests.streams.kafka_helpers import relay_once
from tests.visitation_doubles import FACILITY
from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import book
from tests.visitation_doubles import configure
from tests.visitation_doubles import local
from tests.visitation_doubles import schedule
from tests.visitation_money import MemoryWallet


@pytest.fixture
def visitation(infra: Infra, fresh_database: str, clock: Clock) -> Iterator[Visitation]:
    settings = VisitationSettings(postgres_dsn=infra.postgres_url(fresh_database), livekit_url=None)
    app = build_visitation(settings, wallet=MemoryWallet())
    app.clock = clock
    yield app
    app.close()


async def test_booked_cancelled_and_missed_visits_reach_the_topic_keyed_by_resident(
    infra: Infra, visitation: Visitation, clock: Clock
) -> None:
    resident = f"R-{uuid.uuid4().hex[:8]}"  # the topic keeps earlier runs' visits
    configure(visitation)
    book(visitation, resident)
    visitor = uuid.uuid4()
    booked = schedule(visitation, visitor, local(FRIDAY, 9), resident_id=resident)
    cancelled = schedule(visitation, visitor, local(FRIDAY, 10), resident_id=resident)
    holder = Principal(str(visitor), frozenset({Role.FAMILY_MEMBER}))
    cancel_visit(visitation, holder, CancelVisit(cancelled.visit_id))
    waiting = visitation.store.repository.get(booked.id)
    waiting.joined(Side.VISITOR, booked.starts_at)
    visitation.store.save(waiting)
    clock.now = booked.ends_at + timedelta(minutes=1)
    assert mark_missed_visits(visitation) == 1

    await relay_once(
        infra.kafka_bootstrap,
        visitation.store,
        VisitationEventTranslator(visitation.store),
        "test-visitation-outbox",
    )

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return resident.encode() == record.key

    records = await read_topic(
        infra.kafka_bootstrap, VISITATION_EVENTS, until=lambda rs: sum(map(ours, rs)) >= 4
    )
    envelopes = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    assert [(e.type, e.payload["visit_id"]) for e in envelopes] == [
        ("CallScheduled", str(booked.visit_id)),
        ("CallScheduled", str(cancelled.visit_id)),
        ("CallCancelled", str(cancelled.visit_id)),
        ("CallMissed", str(booked.visit_id)),
    ]
    scheduled = CallScheduled.model_validate(envelopes[0].payload)
    assert (scheduled.account_id, scheduled.facility_id, scheduled.kind) == (
        visitor,
        FACILITY,
        VisitKind.REMOTE,
    )
    assert (scheduled.starts_at, scheduled.ends_at, scheduled.station) == (
        booked.starts_at,
        booked.ends_at,
        1,
    )
    assert (scheduled.price_per_minute_cents, scheduled.direct_dial) == (25, False)
    assert CallCancelled.model_validate(envelopes[2].payload).cancelled_by is CancelledBy.VISITOR
