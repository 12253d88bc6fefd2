"""The bus of the embedded mode, kept in SQLite: order per topic, redelivery of what a handler
failed on, each group's position kept across reopening, concurrent publishers."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.sqlite_bus import SQLiteBus
from kinlink_kit.testing import eventually

from tests.notebook import TOPIC
from tests.notebook import noted_by_each_run

OTHER = "kinlink.other.events.v1"


class Heard:
    """What each group's handler was given, in order."""

    def __init__(self) -> None:
        self.values: dict[str, list[bytes]] = defaultdict(list)

    def handler(self, group: str):  # type: ignore[no-untyped-def]
        async def handle(message: IncomingMessage) -> None:
            self.values[group].append(message.value)

        return handle

    async def until(self, group: str, count: int) -> list[bytes]:
        async def heard_enough() -> bool:
            return len(self.values[group]) >= count

        await eventually(heard_enough, timeout=10)
        return self.values[group]


def values(*texts: str, topic: str = TOPIC) -> list[OutgoingMessage]:
    return [OutgoingMessage(topic, "k", text.encode()) for text in texts]


async def test_each_group_hears_its_topic_in_order(tmp_path: Path) -> None:
    bus, heard = SQLiteBus(tmp_path / "bus.sqlite"), Heard()
    for group in ("ledger", "identity"):
        bus.subscribe(TOPIC, group, heard.handler(group))
    bus.subscribe(OTHER, "ledger", heard.handler("ledger-other"))
    await bus.start()
    try:
        await bus.publish([*values("1", "2"), *values("x", topic=OTHER), *values("3")])
        await bus.publish(values("4"))
        assert await heard.until("ledger", 4) == [b"1", b"2", b"3", b"4"]
        assert await heard.until("identity", 4) == [b"1", b"2", b"3", b"4"]
        assert await heard.until("ledger-other", 1) == [b"x"]
    finally:
        await bus.stop()


async def test_a_message_whose_handler_raised_is_delivered_again_before_the_next(
    tmp_path: Path,
) -> None:
    bus = SQLiteBus(tmp_path / "bus.sqlite", retry_seconds=0)
    delivered: list[bytes] = []

    async def fails_once_on_2(message: IncomingMessage) -> None:
        delivered.append(message.value)
        if delivered.count(b"2") == 1 and message.value == b"2":
            raise RuntimeError("store unavailable")

    bus.subscribe(TOPIC, "ledger", fails_once_on_2)
    await bus.start()
    try:
        await bus.publish(values("1", "2", "3"))

        async def all_delivered() -> bool:
            return len(delivered) >= 4

        await eventually(all_delivered, timeout=10)
    finally:
        await bus.stop()
    assert delivered == [b"1", b"2", b"2", b"3"]


async def test_each_group_starts_again_where_it_stood(tmp_path: Path) -> None:
    path = tmp_path / "bus.sqlite"
    bus, heard = SQLiteBus(path), Heard()
    bus.subscribe(TOPIC, "ledger", heard.handler("ledger"))
    await bus.start()
    try:
        await bus.publish(values("1", "2"))
        await heard.until("ledger", 2)
    finally:
        await bus.stop()

    # Published while no one listened, then a new process on the same file, with a new group.
    publisher = SQLiteBus(path)
    await publisher.publish(values("3"))
    await publisher.stop()
    again, heard_again = SQLiteBus(path), Heard()
    again.subscribe(TOPIC, "ledger", heard_again.handler("ledger"))
    again.subscribe(TOPIC, "identity", heard_again.handler("identity"))
    await again.start()
    try:
        assert await heard_again.until("identity", 3) == [b"1", b"2", b"3"]
        assert await heard_again.until("ledger", 1) == [b"3"]
        await again.publish(values("4"))
        assert await heard_again.until("ledger", 2) == [b"3", b"4"]
    finally:
        await again.stop()
    reopened = SQLiteBus(path)
    offsets = [m.offset for m in reopened.messages(TOPIC)]
    assert reopened.position("ledger", TOPIC) == reopened.position("identity", TOPIC) == offsets[3]
    await reopened.stop()


async def test_a_handler_interrupted_before_it_returned_hears_the_message_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bus.sqlite"
    bus, started = SQLiteBus(path), asyncio.Event()

    async def never_returns(message: IncomingMessage) -> None:
        started.set()
        await asyncio.Event().wait()

    bus.subscribe(TOPIC, "ledger", never_returns)
    await bus.start()
    await bus.publish(values("1"))
    await asyncio.wait_for(started.wait(), 10)
    await bus.stop()

    again, heard = SQLiteBus(path), Heard()
    again.subscribe(TOPIC, "ledger", heard.handler("ledger"))
    await again.start()
    try:
        assert await heard.until("ledger", 1) == [b"1"]
    finally:
        await again.stop()


async def test_concurrent_publishers_lose_nothing_and_keep_each_ones_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bus.sqlite"
    # Two handles on the file, as two processes would have, publishing at once.
    consumer, other_process, heard = SQLiteBus(path), SQLiteBus(path), Heard()
    consumer.subscribe(TOPIC, "ledger", heard.handler("ledger"))
    await consumer.start()

    async def publish(bus: SQLiteBus, name: str) -> None:
        for i in range(50):
            await bus.publish(values(f"{name}-{i}"))

    try:
        await asyncio.gather(
            *(publish(bus, name) for bus, name in [(consumer, "a"), (other_process, "b")]),
            *(publish(consumer, name) for name in ("c", "d")),
        )
        got = [v.decode() for v in await heard.until("ledger", 200)]
    finally:
        await consumer.stop()
        await other_process.stop()
    assert len(got) == len(set(got)) == 200
    for name in "abcd":
        assert [v for v in got if v.startswith(f"{name}-")] == [f"{name}-{i}" for i in range(50)]


async def test_a_new_bus_file_never_reuses_positions_consumers_recorded(tmp_path: Path) -> None:
    """The stores keep the consumers' positions: a bus file made later (or again) must give
    offsets above them, or its messages would look handled already."""
    texts = ["first file", "second file"]
    assert (
        await noted_by_each_run(texts, lambda run: SQLiteBus.in_folder(tmp_path / str(run)))
        == texts
    )
