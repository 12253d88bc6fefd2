"""The PostgreSQL recorder that records a save in one statement (decision 0097), on the real
PostgreSQL: what the library's recorder guarantees still holds (ids in order, a save whole or
not at all, a tracking record refused the second time) and the table lock is never left waiting
on the client between the insert and the commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from uuid import UUID
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.persistence import StoredEvent
from eventsourcing.persistence import Tracking
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import open_store
from kinlink_kit.one_trip_recorder import OneTripPostgresProcessRecorder
from kinlink_kit.schema import SchemaNotMigrated
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import Infra


class Notes(TrackedApplication):
    name = "notes"


@pytest.fixture
def settings(infra: Infra) -> ServiceSettings:
    return ServiceSettings(postgres_dsn=infra.postgres_dsn)


@pytest.fixture
def notes(settings: ServiceSettings, fresh_database: str) -> Iterator[Notes]:
    app = open_store(Notes, settings, fresh_database)
    yield app
    app.close()


def stored(originator: UUID, version: int, text: str = "x") -> StoredEvent:
    return StoredEvent(originator, version, "tests:Noted", text.encode())


def recorder(app: Notes) -> OneTripPostgresProcessRecorder:
    assert isinstance(app.recorder, OneTripPostgresProcessRecorder)
    return app.recorder


def test_a_saves_events_get_ids_in_their_order_and_read_back_as_stored(notes: Notes) -> None:
    first, second = uuid4(), uuid4()
    events = [stored(first, 1, "a"), stored(second, 1, "b"), stored(first, 2, "c")]

    ids = recorder(notes).insert_events(events)

    assert ids is not None and len(ids) == 3 and list(ids) == sorted(ids)
    read = recorder(notes).select_notifications(None, 10)
    assert [(n.id, n.originator_id, n.originator_version, n.state) for n in read] == [
        (i, e.originator_id, e.originator_version, e.state)
        for i, e in zip(ids, events, strict=True)
    ]


def test_a_save_that_collides_records_nothing_not_even_its_tracking_record(notes: Notes) -> None:
    note = uuid4()
    recorder(notes).insert_events([stored(note, 1)])

    with pytest.raises(IntegrityError):
        recorder(notes).insert_events(
            [stored(uuid4(), 1), stored(note, 1)], tracking=Tracking("event:upstream", 1)
        )

    assert len(recorder(notes).select_notifications(None, 10)) == 1
    assert not notes.has_processed(Tracking("event:upstream", 1))


def test_a_tracking_record_is_refused_the_second_time_with_its_events(notes: Notes) -> None:
    tracking = Tracking("event:upstream", 1)
    recorder(notes).insert_events([stored(uuid4(), 1)], tracking=tracking)

    with pytest.raises(IntegrityError):
        recorder(notes).insert_events([stored(uuid4(), 1)], tracking=tracking)

    assert notes.has_processed(tracking)
    assert len(recorder(notes).select_notifications(None, 10)) == 1


def test_a_tracking_record_alone_is_recorded_and_moves_only_forward(notes: Notes) -> None:
    recorder(notes).insert_events([], tracking=Tracking("outbox-relay", 5))

    assert recorder(notes).max_tracking_id("outbox-relay") == 5
    with pytest.raises(IntegrityError):
        recorder(notes).insert_events([], tracking=Tracking("outbox-relay", 4))
    assert recorder(notes).max_tracking_id("outbox-relay") == 5


def test_the_lock_is_never_held_by_a_writer_waiting_on_its_client(
    notes: Notes, settings: ServiceSettings, fresh_database: str
) -> None:
    """Saves from many threads while another connection watches the server: no session ever
    sits idle inside a transaction (the library's recorder did, holding the table's lock, from
    its insert's answer until its COMMIT)."""
    url = settings.database_url(fresh_database)
    assert url is not None
    done = threading.Event()
    idle_in_transaction: list[str] = []

    def watch() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not done.is_set():
                rows = conn.execute(
                    "SELECT query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND state = 'idle in transaction'"
                ).fetchall()
                idle_in_transaction.extend(row[0] for row in rows)

    def save_many() -> None:
        for _ in range(100):
            recorder(notes).insert_events([stored(uuid4(), 1), stored(uuid4(), 1)])

    watcher = threading.Thread(target=watch)
    watcher.start()
    writers = [threading.Thread(target=save_many) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    done.set()
    watcher.join()

    assert len(recorder(notes).select_notifications(None, 2000)) == 1600
    assert idle_in_transaction == []


def test_a_database_without_the_recording_function_is_not_migrated(
    settings: ServiceSettings, fresh_database: str
) -> None:
    open_store(Notes, settings, fresh_database).close()
    url = settings.database_url(fresh_database)
    assert url is not None
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP FUNCTION public.notes_events_record")

    with pytest.raises(SchemaNotMigrated) as refused:
        open_store(Notes, settings, fresh_database, create_tables=False)

    assert refused.value.missing == ["public.notes_events_record"]
