"""The ledger's audit stream on the real broker: every stored event reaches the audit topic with
its link, in order, and auditors rebuild every projection from the topic's first offset."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import random
import uuid
from pathlib import Path

from kinlink_kit.bus import KafkaBus
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.progress import Progress
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_ledger.adapters.audit_stream import AuditStream
from kinlink_ledger.adapters.hash_chain import store_chain
from kinlink_ledger.audit.replay import replay
from kinlink_ledger.audit.replay import viewed
from kinlink_ledger.audit.sources import kafka_batches
from kinlink_ledger.audit.verify import verify
from kinlink_ledger.service_layer.ledger import Ledger

from tests.ledger_workload import Workload


async def test_replay_from_the_audit_topic_equals_the_live_projections(
    infra: Infra, postgres_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = postgres_ledger
    topic = f"test.ledger.audit.{uuid.uuid4().hex[:8]}"
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-audit")
    stream = AuditStream(ledger.store, topic)
    relay = OutboxRelay(ledger.store, bus, stream)
    await bus.start()
    relaying = asyncio.create_task(relay.run())
    try:
        await asyncio.to_thread(Workload(random.Random(11)).run, ledger, 200)

        async def relayed() -> bool:
            return relay.position() == ledger.store.recorder.max_notification_id()

        await eventually(relayed)
        # A relay that crashed before noting its progress publishes a batch again.
        again = list(store_chain(ledger.store.recorder, batch_size=20))[:20]
        notifications = ledger.store.recorder.select_notifications(1, 20)
        assert len(again) == len(notifications)
        await bus.publish(stream(notifications))
        for projection in ledger.views.projections:
            projection.catch_up()

        verified = await verify(
            kafka_batches(infra.kafka_bootstrap, topic),
            ledger.store.mapper,
            Progress("", io.StringIO()),
        )
        assert verified.findings == []
        assert verified.events == len(list(store_chain(ledger.store.recorder)))
        assert verified.entries > 0 and verified.debits == verified.credits

        replayed = await replay(
            kafka_batches(infra.kafka_bootstrap, topic),
            ledger.views.store,
            tmp_path,
            Progress("", io.StringIO()),
        )
        assert replayed.differences == []
        assert replayed.ok
        assert replayed.last_position == ledger.store.recorder.max_notification_id()

        # Passing over the states of the types no view is made of changes nothing the replay
        # finds, and only those states are left out.
        stored = {e.position: e for e in store_chain(ledger.store.recorder)}
        read = [
            event
            async for batch in kafka_batches(infra.kafka_bootstrap, topic, stated=viewed)
            for event in batch
        ]
        assert [e.position for e in read] == sorted(stored)
        assert {e.topic for e in read if not viewed(e.topic)}  # some were passed over
        for event in read:
            expected = stored[event.position]
            if not viewed(event.topic):
                expected = dataclasses.replace(expected, state=b"")
            assert event == expected
        (tmp_path / "skimmed").mkdir()
        skimmed = await replay(
            kafka_batches(infra.kafka_bootstrap, topic, stated=viewed),
            ledger.views.store,
            tmp_path / "skimmed",
            Progress("", io.StringIO()),
        )
        assert skimmed.ok
        assert (skimmed.events, skimmed.last_position) == (replayed.events, replayed.last_position)
    finally:
        relaying.cancel()
        await bus.stop()
