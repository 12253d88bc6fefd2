"""Auditors' checks of the ledger's stream, on SQLite and on the real PostgreSQL: the hash chain
holds and the journal balances after a random workload; replay equals live; a single altered,
removed or reordered event in a copy of the stream, or in the store itself, is named."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import random
import threading
from collections.abc import AsyncIterator
from collections.abc import Sequence
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic
from kinlink_kit.progress import Progress
from kinlink_ledger.adapters.hash_chain import ChainedEvent
from kinlink_ledger.adapters.hash_chain import ChainedSQLiteProcessRecorder
from kinlink_ledger.adapters.hash_chain import link_hash
from kinlink_ledger.adapters.hash_chain import store_chain
from kinlink_ledger.adapters.ledger_views import LedgerViews
from kinlink_ledger.audit.replay import ReplayReport
from kinlink_ledger.audit.replay import fresh_views
from kinlink_ledger.audit.replay import replay
from kinlink_ledger.audit.sources import store_batches
from kinlink_ledger.audit.verify import VerifyReport
from kinlink_ledger.audit.verify import verify
from kinlink_ledger.service_layer.ledger import Ledger

from tests.ledger_workload import Workload


async def batches_of(
    events: Sequence[ChainedEvent], size: int = 50
) -> AsyncIterator[list[ChainedEvent]]:
    for start in range(0, len(events), size):
        yield list(events[start : start + size])


def quiet(what: str = "events") -> Progress:
    return Progress(what, out=io.StringIO())


def checked(ledger: Ledger, events: Sequence[ChainedEvent]) -> VerifyReport:
    return asyncio.run(verify(batches_of(events), ledger.store.mapper, quiet()))


@pytest.fixture
def busy(ledger: Ledger) -> Ledger:
    workload = Workload(random.Random(20261125))
    workload.run(ledger, 250)
    assert workload.refused < 200  # most steps did something
    return ledger


def stream(ledger: Ledger) -> list[ChainedEvent]:
    return list(store_chain(ledger.store.recorder, batch_size=64))


def test_a_busy_ledgers_chain_holds_and_its_journal_balances(busy: Ledger) -> None:
    events = stream(busy)
    report = checked(busy, events)
    assert report.findings == []
    assert report.events == len(events) > 250
    assert report.entries > 20
    assert report.debits == report.credits > 0
    assert report.last_hash == events[-1].hash


def test_a_store_being_written_to_verifies_without_findings(ledger: Ledger) -> None:
    """Events and their links are read separately: read as far as the chain reached when the
    read began, a live store never shows an event without its link, nor a link without its
    event. Small batches make many reads, each racing the writer."""
    workload, verified = Workload(random.Random(20261126)), threading.Event()

    def write_until_verified() -> None:
        while not verified.is_set():
            workload.run(ledger, 10)

    writing = threading.Thread(target=write_until_verified)
    writing.start()
    try:
        reports = [
            asyncio.run(verify(store_batches(ledger.store, 16), ledger.store.mapper, quiet()))
            for _ in range(20)
        ]
    finally:
        verified.set()
        writing.join()
    assert [r.findings for r in reports if r.findings] == []
    assert len({r.events for r in reports}) > 1  # the store grew while it was verified


def test_an_altered_event_is_named(busy: Ledger) -> None:
    events = stream(busy)
    k = len(events) // 2
    altered = events[k].state.replace(b'"', b"'", 1)
    copy = [*events[:k], dataclasses.replace(events[k], state=altered), *events[k + 1 :]]
    findings = checked(busy, copy).findings
    assert (findings[0].position, findings[0].problem) == (
        events[k].position,
        "its content does not match its hash: it was altered",
    )
    assert {f.position for f in findings} == {events[k].position}


def test_a_removed_event_is_named_by_the_gap_it_leaves(busy: Ledger) -> None:
    events = stream(busy)
    k = len(events) // 3
    findings = checked(busy, [*events[:k], *events[k + 1 :]]).findings
    assert len(findings) == 1
    assert findings[0].position == events[k + 1].position
    assert f"between positions {events[k - 1].position} and {events[k + 1].position}" in (
        findings[0].problem
    )


def test_two_events_swapped_are_both_named(busy: Ledger) -> None:
    events = stream(busy)
    k = len(events) - 10
    swapped = [*events[:k], events[k + 1], events[k], *events[k + 2 :]]
    findings = checked(busy, swapped).findings
    assert {f.position for f in findings} == {events[k].position, events[k + 1].position}
    assert any("out of order" in f.problem for f in findings)


def test_an_unbalanced_entry_is_named_even_when_the_chain_was_rewritten_to_hide_it(
    busy: Ledger,
) -> None:
    events = stream(busy)
    k = next(i for i, e in enumerate(events) if b'"entry"' in e.state and i > 10)
    state = json.loads(events[k].state)
    account = sorted(state["entry"])[0]
    state["entry"][account] += 100  # one side of the entry grows by a dollar
    forged = [*events[:k]]
    previous = events[k - 1].hash
    for event in events[k:]:
        body = json.dumps(state).encode() if event is events[k] else event.state
        link = link_hash(
            previous, event.originator_id or "", event.originator_version or 0, event.topic, body
        )
        forged.append(dataclasses.replace(event, state=body, previous_hash=previous, hash=link))
        previous = link
    findings = checked(busy, forged).findings
    assert len(findings) == 1
    assert findings[0].position == events[k].position
    assert (
        "journal entry does not balance: debits exceed credits by 100 cents" in findings[0].problem
    )


def test_an_event_altered_in_the_store_itself_is_named(busy: Ledger) -> None:
    events = stream(busy)
    target = next(e for e in events[len(events) // 2 :] if b"FAC-" in e.state)
    table = busy.store.recorder.events_table_name  # type: ignore[attr-defined]
    placeholder = "?" if isinstance(busy.store.recorder, ChainedSQLiteProcessRecorder) else "%s"
    with busy.store.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
        cursor.execute(
            f"UPDATE {table} SET state = {placeholder} WHERE originator_id = {placeholder} "
            f"AND originator_version = {placeholder}",
            (
                target.state.replace(b"FAC-", b"FAX-", 1),
                target.originator_id if placeholder == "%s" else target.originator_id.hex,  # type: ignore[union-attr]
                target.originator_version,
            ),
        )
    findings = checked(busy, stream(busy)).findings
    assert [f.position for f in findings] == [target.position]


def test_replaying_the_store_gives_every_live_projection_exactly(
    busy: Ledger, tmp_path: Path
) -> None:
    for projection in busy.views.projections:
        projection.catch_up()
    report = run_replay(busy, stream(busy), tmp_path)
    assert report.differences == []
    assert report.ok
    assert report.tables >= 2
    assert report.events == len(stream(busy))


def test_the_replay_reads_the_state_of_every_type_a_view_is_made_of(tmp_path: Path) -> None:
    """The replay passes over the other types' states: one left out here would go unapplied."""
    views = fresh_views(tmp_path)
    try:
        assert LedgerViews.viewed_topics() == {
            get_topic(event_type)
            for projection in views.projections
            for event_type in projection.event_types
        }
    finally:
        views.close()


def test_a_live_projection_that_drifted_is_reported(busy: Ledger, tmp_path: Path) -> None:
    for projection in busy.views.projections:
        projection.catch_up()
    with busy.views.store.transaction() as cursor:
        cursor.execute(
            "UPDATE journal_lines SET amount = amount + 1 WHERE account = :a",
            {"a": "card_clearing"},
        )
    report = run_replay(busy, stream(busy), tmp_path)
    assert [(d.projection, d.table) for d in report.differences] == [("journal", "journal_lines")]
    assert not report.ok


def test_a_live_projection_behind_the_stream_is_compared_where_it_is(
    busy: Ledger, tmp_path: Path
) -> None:
    for projection in busy.views.projections:
        projection.catch_up()
    Workload(random.Random(5)).run(busy, 50)  # more events the projections have not applied
    assert run_replay(busy, stream(busy), tmp_path).ok


def run_replay(ledger: Ledger, events: Sequence[ChainedEvent], folder: Path) -> ReplayReport:
    return asyncio.run(replay(batches_of(events), ledger.views.store, folder, quiet()))
