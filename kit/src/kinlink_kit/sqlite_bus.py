"""The bus of the modes without Kafka: messages and consumers' positions in one SQLite file.

A publish returns once its messages are committed to the file, so the outbox relay, which records
its progress only after that, never skips a message a consumer has not read. Each consumer group
has its own position per topic, moved past a message only after the group's handler returned: a
process killed at any moment starts again where every group stood, and a handler that raises
sees the same message again, messages of a topic staying in order. Consumers wake when this
process publishes and look every `poll_seconds` for what other processes on the file published.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import MessageHandler
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.logging import get_logger

log = get_logger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bus_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "topic TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, headers TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS bus_messages_by_topic ON bus_messages (topic, id)",
    "CREATE TABLE IF NOT EXISTS bus_positions (consumer_group TEXT NOT NULL, "
    "topic TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (consumer_group, topic))",
)


@dataclass
class _Subscription:
    topic: str
    group: str
    handler: MessageHandler
    published: asyncio.Event = field(default_factory=asyncio.Event)


class SQLiteBus:
    """A message's offset is its row id: it grows along each topic, across restarts."""

    FILE_NAME = "bus.sqlite"

    def __init__(
        self,
        path: Path,
        *,
        poll_seconds: float = 0.5,
        retry_seconds: float = 1.0,
        batch_size: int = 100,
    ) -> None:
        self.path = path
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.batch_size = batch_size
        self._subscriptions: list[_Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        # One connection, used from the threads the event loop hands the blocking calls to.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # committed survives a power cut too
        with self._transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)
            # Offsets of a new file start at the microseconds since the epoch: above any position
            # consumers recorded in their stores from an earlier file (or the in-memory bus), so
            # those positions never make new messages look handled already.
            db.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'bus_messages', ? "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'bus_messages')",
                (time.time_ns() // 1000,),
            )

    @classmethod
    def in_folder(cls, data_dir: Path) -> SQLiteBus:
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(data_dir / cls.FILE_NAME)

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._consume(s)) for s in self._subscriptions]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with self._lock:
            self._db.close()

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if not messages:
            return
        await asyncio.to_thread(self._append, messages)
        topics = {m.topic for m in messages}
        for subscription in self._subscriptions:
            if subscription.topic in topics:
                subscription.published.set()

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        if any(s.topic == topic and s.group == group for s in self._subscriptions):
            # One position per group and topic: two handlers would each skip what the other read.
            raise ValueError(f"group {group} already consumes {topic}")
        self._subscriptions.append(_Subscription(topic, group, handler))

    def position(self, group: str, topic: str) -> int:
        """The offset of the last message of `topic` that `group` handled; 0 for none."""
        with self._lock:
            row = self._db.execute(
                "SELECT position FROM bus_positions WHERE consumer_group = ? AND topic = ?",
                (group, topic),
            ).fetchone()
        return int(row[0]) if row else 0

    def messages(self, topic: str, after: int = 0, limit: int = -1) -> list[IncomingMessage]:
        """The messages of `topic` after offset `after`, in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, key, value, headers FROM bus_messages "
                "WHERE topic = ? AND id > ? ORDER BY id LIMIT ?",
                (topic, after, limit),
            ).fetchall()
        return [
            IncomingMessage(topic, 0, offset, key, value, json.loads(headers))
            for offset, key, value, headers in rows
        ]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _append(self, messages: Sequence[OutgoingMessage]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO bus_messages (topic, key, value, headers) VALUES (?, ?, ?, ?)",
                [(m.topic, m.key, m.value, json.dumps(m.headers)) for m in messages],
            )

    def _advance(self, group: str, topic: str, offset: int) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO bus_positions (consumer_group, topic, position) VALUES (?, ?, ?) "
                "ON CONFLICT (consumer_group, topic) DO UPDATE SET position = excluded.position",
                (group, topic, offset),
            )

    async def _consume(self, subscription: _Subscription) -> None:
        topic, group = subscription.topic, subscription.group
        position = await asyncio.to_thread(self.position, group, topic)
        while True:
            subscription.published.clear()
            batch = await asyncio.to_thread(self.messages, topic, position, self.batch_size)
            if not batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(subscription.published.wait(), self.poll_seconds)
                continue
            for message in batch:
                try:
                    await subscription.handler(message)
                except Exception:
                    # Like an uncommitted Kafka message: delivered again, never skipped.
                    log.exception(
                        "handler failed; redelivering",
                        topic=topic,
                        group=group,
                        offset=message.offset,
                    )
                    await asyncio.sleep(self.retry_seconds)
                    break
                await asyncio.to_thread(self._advance, group, topic, message.offset)
                position = message.offset
