"""A hash chain over a store's events, kept in the transaction that records them.

Each stored event gets a link: the hash of the link before it and its own hash, computed over
that previous hash and the event exactly as stored. The links live in a table beside the events
(`<events table>_chain`), written by the recorder while it holds the lock that orders the
notification log, so the chain follows the log's order on PostgreSQL and on SQLite alike.

An event altered, removed or moved after it was recorded no longer matches the chain: the
auditors' `verify` recomputes it and names the first event that breaks it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteProcessRecorder
from kinlink_kit.one_trip_recorder import OneTripPostgresProcessRecorder
from psycopg.sql import SQL
from psycopg.sql import Identifier

GENESIS = "0" * 64
UNBOUNDED = 2**63 - 1  # above every notification id (a BIGINT)


def link_hash(
    previous_hash: str, originator_id: UUID | str, originator_version: int, topic: str, state: bytes
) -> str:
    """SHA-256 over the previous hash and the stored event, each part length-prefixed so that no
    two different events can be spelled the same."""
    digest = hashlib.sha256()
    for part in (
        previous_hash.encode(),
        str(originator_id).encode(),
        str(originator_version).encode(),
        topic.encode(),
        state,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainedEvent:
    """One stored event with its link, as the store or a copy of the stream holds it."""

    position: int
    originator_id: UUID | None  # None: the chain has a link, the store no event
    originator_version: int | None
    topic: str
    state: bytes
    previous_hash: str  # empty: the store has an event the chain has no link for
    hash: str

    def notification(self) -> Notification:
        """The event as the store's log gives it, for the mapper and the projections."""
        assert self.originator_id is not None and self.originator_version is not None
        return Notification(
            id=self.position,
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            topic=self.topic,
            state=self.state,
        )

    def recomputed_hash(self) -> str:
        assert self.originator_id is not None and self.originator_version is not None
        return link_hash(
            self.previous_hash,
            self.originator_id,
            self.originator_version,
            self.topic,
            self.state,
        )


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops holding, and why."""

    position: int
    originator_id: UUID | None
    originator_version: int | None
    topic: str
    problem: str

    def describe(self) -> str:
        event = (
            f"{self.topic.rpartition('.')[2] or 'event'} {self.originator_id} "
            f"v{self.originator_version}"
            if self.originator_id is not None
            else "no event"
        )
        return f"position {self.position} ({event}): {self.problem}"


class ChainVerifier:
    """Checks a chain event by event, in log order, starting after `previous_hash`.

    An altered event fails its own hash; a missing one leaves the next event pointing at a hash
    that is not the one before it; events out of order do both to their neighbours."""

    def __init__(self, previous_hash: str = GENESIS) -> None:
        self.previous_hash = previous_hash
        self.last_position = 0

    def check(self, event: ChainedEvent) -> list[ChainBreak]:
        where = (event.position, event.originator_id, event.originator_version, event.topic)
        if event.originator_id is None:
            self._follow(event)
            return [ChainBreak(*where, "removed: the chain has its link, the store no event")]
        if not event.hash:
            return [ChainBreak(*where, "has no link in the chain: recorded outside it")]
        breaks = []
        if event.recomputed_hash() != event.hash:
            breaks.append(ChainBreak(*where, "its content does not match its hash: it was altered"))
        if event.position <= self.last_position:
            # Moved back: the chain goes on from the furthest event, so only the moved are named.
            breaks.append(
                ChainBreak(*where, f"out of order: comes after position {self.last_position}")
            )
            return breaks
        if event.previous_hash != self.previous_hash:
            breaks.append(
                ChainBreak(
                    *where,
                    "does not follow the event before it: an event between positions "
                    f"{self.last_position} and {event.position} is missing, altered or moved",
                )
            )
        self._follow(event)
        return breaks

    def _follow(self, event: ChainedEvent) -> None:
        self.previous_hash = event.hash
        self.last_position = event.position


def _links(
    head: str | None, ids: Sequence[int], stored_events: Sequence[StoredEvent]
) -> list[tuple[int, str, str]]:
    """The links of newly inserted events, after the chain's current `head` (SQLite's recorder;
    on PostgreSQL the trigger computes the same)."""
    previous = head or GENESIS
    rows = []
    for notification_id, stored in sorted(zip(ids, stored_events, strict=True)):
        current = link_hash(
            previous, stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        rows.append((notification_id, previous, current))
        previous = current
    return rows


def _part(expression: str) -> str:
    """`expression` (bytea) with its length before it, as `link_hash` writes each part."""
    return f"int8send(octet_length({expression})::bigint) || {expression}"


_LINK_FUNCTION = (
    """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head text;
    linked text;
    r record;
BEGIN
    SELECT hash INTO head FROM {chain} ORDER BY notification_id DESC LIMIT 1;
    head := coalesce(head, repeat('0', 64));
    FOR r IN SELECT * FROM new_rows ORDER BY notification_id LOOP
        linked := encode(sha256("""
    + " || ".join(
        _part(e)
        for e in (
            "convert_to(head, 'UTF8')",
            "convert_to(r.originator_id::text, 'UTF8')",
            "convert_to(r.originator_version::text, 'UTF8')",
            "convert_to(r.topic, 'UTF8')",
            "r.state",
        )
    )
    + """), 'hex');
        INSERT INTO {chain} (notification_id, previous_hash, hash)
            VALUES (r.notification_id, head, linked);
        head := linked;
    END LOOP;
    RETURN NULL;
END
$$
"""
)


class ChainedPostgresProcessRecorder(OneTripPostgresProcessRecorder):
    """PostgreSQL's process recorder, with each event's link written by the database itself in
    the same transaction: a statement trigger on the events table links the rows just inserted,
    while the table is locked, so links follow notification order. The trigger computes exactly
    `link_hash` (SHA-256 over length-prefixed parts); doing it in the server spares the writer a
    round trip and the Python work per event."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        events = Identifier(self.datastore.schema, self.events_table_name)
        chain = Identifier(self.datastore.schema, f"{self.events_table_name}_chain")
        link = Identifier(self.datastore.schema, f"{self.events_table_name}_link")
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (notification_id BIGINT PRIMARY KEY, "
                "previous_hash TEXT NOT NULL, hash TEXT NOT NULL)"
            ).format(chain),
            SQL(_LINK_FUNCTION).format(function=link, chain=chain),
            SQL(
                "CREATE OR REPLACE TRIGGER {trigger} AFTER INSERT ON {events} "
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            ).format(
                trigger=Identifier(f"{self.events_table_name}_linked"),
                events=events,
                function=link,
            ),
        ]
        self._chain_select = SQL(
            "SELECT notification_id, previous_hash, hash FROM {0} "
            "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
        ).format(chain)
        self._head_select = SQL(
            "SELECT GREATEST((SELECT max(notification_id) FROM {0}), "
            "(SELECT max(notification_id) FROM {1})) AS head"
        ).format(events, chain)

    def select_links(
        self, after: int, limit: int, until: int = UNBOUNDED
    ) -> list[tuple[int, str, str]]:
        """Links of the events after notification id `after` (up to `until`), in order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._chain_select, (after, until, limit))
            return [(r["notification_id"], r["previous_hash"], r["hash"]) for r in curs.fetchall()]

    def chain_head(self) -> int:
        """The furthest position of the events and of the links, both read at one moment."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._head_select)
            row = curs.fetchone()
            return int(row["head"] or 0) if row else 0


class ChainedSQLiteProcessRecorder(SQLiteProcessRecorder):
    """SQLite's process recorder, also writing each event's link in the same transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.events_table_name}_chain ("
            "notification_id INTEGER PRIMARY KEY, previous_hash TEXT NOT NULL, "
            "hash TEXT NOT NULL)",
        ]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            table = f"{self.events_table_name}_chain"
            c.execute(f"SELECT hash FROM {table} ORDER BY notification_id DESC LIMIT 1")
            row = c.fetchone()
            links = _links(row[0] if row else None, ids, stored_events)
            c.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", links)
        return ids

    def select_links(
        self, after: int, limit: int, until: int = UNBOUNDED
    ) -> list[tuple[int, str, str]]:
        table = f"{self.events_table_name}_chain"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT notification_id, previous_hash, hash FROM {table} "
                "WHERE notification_id > ? AND notification_id <= ? "
                "ORDER BY notification_id LIMIT ?",
                (after, until, limit),
            )
            return [(r[0], r[1], r[2]) for r in c.fetchall()]

    def chain_head(self) -> int:
        events, chain = self.events_table_name, f"{self.events_table_name}_chain"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT max(coalesce((SELECT max(rowid) FROM {events}), 0), "
                f"coalesce((SELECT max(notification_id) FROM {chain}), 0))"
            )
            return int(c.fetchone()[0])


CHAINED_RECORDERS = {
    "eventsourcing.postgres": ChainedPostgresProcessRecorder,
    "eventsourcing.sqlite": ChainedSQLiteProcessRecorder,
}


def store_chain(recorder: Any, *, after: int = 0, batch_size: int = 1000) -> Iterator[ChainedEvent]:
    """The store's events joined with their links, in log order, from notification id `after`.

    `recorder` is one of the chained recorders above. The read stops at the head the chain had
    when it began (the furthest event or link, read in one statement): an event recorded since,
    with its link, is left for the next read, so a store being written to never shows an event
    whose link was not read yet, nor a link whose event was not."""
    head = recorder.chain_head()
    while after < head:
        links = recorder.select_links(after, batch_size, head)
        notifications = recorder.select_notifications(
            after, batch_size, stop=head, inclusive_of_start=False
        )
        if not links and not notifications:
            return
        # Read as far as both reached, so that neither side runs ahead of the other.
        last = min(
            links[-1][0] if len(links) == batch_size else float("inf"),
            notifications[-1].id if len(notifications) == batch_size else float("inf"),
        )
        by_id = {n.id: n for n in notifications if n.id <= last}
        linked = {link[0]: link for link in links if link[0] <= last}
        for position in sorted(by_id.keys() | linked.keys()):
            n = by_id.get(position)
            _, previous_hash, hash_ = linked.get(position, (position, "", ""))
            yield ChainedEvent(
                position,
                n.originator_id if n else None,
                n.originator_version if n else None,
                n.topic if n else "",
                n.state if n else b"",
                previous_hash,
                hash_,
            )
            after = position
