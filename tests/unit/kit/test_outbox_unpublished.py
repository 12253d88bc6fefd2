"""The outbox relay reports how many stored events it has not published yet (the outbox lag
alert's metric): growing while the broker is away, back to 0 once they are published, and 0 on
a replica that stopped relaying."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from eventsourcing.persistence import Notification
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.testing import eventually
from prometheus_client import REGISTRY

from tests.parcels import Parcel
from tests.parcels import in_memory_depot
from tests.recording_bus import RecordingBus


def translate(notifications: Sequence[Notification]) -> list[OutgoingMessage]:
    return [
        OutgoingMessage("kinlink.depot.events.v1", str(n.originator_id), n.state)
        for n in notifications
    ]


def unpublished() -> float | None:
    return REGISTRY.get_sample_value("kinlink_outbox_unpublished_events", {"store": "depot"})


async def test_the_backlog_grows_while_the_broker_is_away_and_empties_once_published() -> None:
    depot = in_memory_depot()
    bus = RecordingBus()
    relay = OutboxRelay(depot, bus, translate)
    depot.save(Parcel("first"), Parcel("second"))
    bus.down = True

    with pytest.raises(ConnectionError):
        await relay.follow_once(relay.position())
    assert unpublished() == 2
    depot.save(Parcel("third"))
    with pytest.raises(ConnectionError):
        await relay.follow_once(relay.position())
    assert unpublished() == 3

    bus.down = False
    position = await relay.follow_once(relay.position())
    assert len(bus.published) == 3
    await relay.follow_once(position)
    assert unpublished() == 0
    depot.close()


async def test_a_relay_that_stops_reports_no_backlog_of_its_own() -> None:
    depot = in_memory_depot()
    bus = RecordingBus()
    bus.down = True
    depot.save(Parcel("first"))
    relay = OutboxRelay(depot, bus, translate)

    running = asyncio.create_task(relay.run())

    async def backlog_reported() -> bool:
        return unpublished() == 1

    await eventually(backlog_reported)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)

    assert unpublished() == 0
    depot.close()
