"""`make run` killed at the worst moment loses nothing: identity has published a facility's
settings (its outbox relay moved past them) but the ledger has not handled them yet; the process
is SIGKILLed there, started again, and the ledger hears each of them exactly once. The family's
message, its photo and its draft are all there after the restart."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from contextlib import contextmanager
from pathlib import Path

import grpc
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2 as messaging_pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_embedded import demo
from kinlink_kit.sqlite_bus import SQLiteBus
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_ledger.audit.sources import reading
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.domain.facility_terms import FacilityTerms

from tests.conftest import bearer
from tests.integration.messaging.test_grpc_messages import photo

FACILITY = "FAC-KILL"


@contextmanager
def embedded(data_dir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`kinlink-embedded` on `data_dir`, once it has seeded its demo and printed its banner."""
    out = data_dir.parent / f"{data_dir.name}-{port}.log"
    env = {
        **os.environ,
        "KINLINK_DATA_DIR": str(data_dir),
        "KINLINK_GRPC_PORT": str(port),
        "KINLINK_HTTP_PORT": str(free_port()),  # its portal's, not the default 8080 of make run
    }
    with out.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kinlink_embedded.main"], env=env, stdout=log, stderr=log
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def ready(process: subprocess.Popen[bytes], log: Path) -> None:
    async def banner_printed() -> bool:
        assert process.poll() is None, log.read_text()[-4000:]
        return "is listening for gRPC" in log.read_text()

    await eventually(banner_printed)


def sqlite_value(path: Path, query: str, *args: object) -> int:
    with closing(sqlite3.connect(path, timeout=30)) as db:
        row = db.execute(query, args).fetchone()
    return int(row[0] or 0)


@contextmanager
def ledger_store_locked(data_dir: Path) -> Iterator[None]:
    """Holds the ledger's store's write lock: its consumers wait, their handlers unfinished."""
    with closing(sqlite3.connect(data_dir / "kinlink_ledger.sqlite", isolation_level=None)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            db.execute("ROLLBACK")


def ledger_terms(data_dir: Path) -> list[tuple[str, int]]:
    """The events the ledger recorded for FAC-KILL's terms: (event name, revision)."""
    store = reading(LedgerSettings(data_dir=data_dir))
    try:
        events = store.repository.event_store.get(FacilityTerms.create_id(FACILITY))
        return [(type(e).__name__, e.revision) for e in events]  # type: ignore[attr-defined]
    finally:
        store.close()


async def family_messaging(
    channel: grpc.aio.Channel,
) -> tuple[messaging_pb2_grpc.MessagingServiceStub, list[tuple[str, str]]]:
    identity = identity_pb2_grpc.IdentityServiceStub(channel)
    session = await identity.LogIn(
        identity_pb.LogInRequest(email=demo.FAMILY_EMAIL, password=demo.FAMILY_PASSWORD)
    )
    return messaging_pb2_grpc.MessagingServiceStub(channel), bearer(session.access_token)


async def kept(channel: grpc.aio.Channel, message_id: str) -> tuple[list[str], list[str], bytes]:
    """The demo family's sent messages, its drafts' bodies and the photo of `message_id`."""
    messaging, family = await family_messaging(channel)
    sent = await messaging.ListSent(messaging_pb.ListSentRequest(page_size=10), metadata=family)
    drafts = await messaging.ListDrafts(
        messaging_pb.ListDraftsRequest(page_size=10), metadata=family
    )
    image = await messaging.GetImage(
        messaging_pb.GetImageRequest(message_id=message_id), metadata=family
    )
    return (
        sorted(m.message_id for m in sent.messages),
        [d.body for d in drafts.drafts],
        image.content,
    )


async def test_events_published_but_not_handled_when_killed_are_handled_after_a_restart(
    tmp_path: Path,
) -> None:
    data_dir, port = tmp_path / "var", free_port()
    data_dir.mkdir()
    identity_db, bus_db = data_dir / "kinlink_identity.sqlite", data_dir / "bus.sqlite"
    with embedded(data_dir, port) as process:
        await ready(process, tmp_path / f"var-{port}.log")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            identity = identity_pb2_grpc.IdentityServiceStub(channel)
            messaging, family = await family_messaging(channel)
            message = await messaging.SendMessage(
                messaging_pb.SendMessageRequest(
                    client_key="compose-1",
                    facility_id=FAC_DEMO,
                    resident_id="R-1002",
                    body="Hello from home.",
                    images=[photo()],
                ),
                metadata=family,
            )
            draft = messaging_pb.SaveDraftRequest(
                client_key="draft-1", facility_id=FAC_DEMO, resident_id="R-1003", body="Dear K"
            )
            await messaging.SaveDraft(draft, metadata=family)
            before = await kept(channel, message.message_id)
            assert len(before[0]) == 2 and before[1] == ["Dear K"]  # the demo's message too
            session = await identity.LogIn(
                identity_pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
            )
            with ledger_store_locked(data_dir):
                settings = DEMO_FACILITIES[FAC_DEMO]
                for weekly_limit in (20000, 25000):  # two revisions, in order
                    await identity.ConfigureFacility(
                        identity_pb.ConfigureFacilityRequest(
                            facility_id=FACILITY,
                            settings=settings_message(
                                settings.model_copy(
                                    update={"weekly_deposit_limit_cents": weekly_limit}
                                )
                            ),
                        ),
                        metadata=bearer(session.access_token),
                    )
                stored = sqlite_value(identity_db, "SELECT max(rowid) FROM stored_events")

                async def relayed() -> bool:
                    return stored <= sqlite_value(
                        identity_db,
                        "SELECT max(notification_id) FROM tracking WHERE application_name = ?",
                        "outbox-relay",
                    )

                await eventually(relayed)
                process.send_signal(signal.SIGKILL)
                process.wait()
    assert ledger_terms(data_dir) == []  # killed before the ledger handled either

    with embedded(data_dir, port) as process:
        await ready(process, tmp_path / f"var-{port}.log")

        async def ledger_heard_both() -> bool:
            return len(ledger_terms(data_dir)) >= 2

        await eventually(ledger_heard_both)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            assert await kept(channel, message.message_id) == before
        bus = SQLiteBus(bus_db)
        try:
            published = [m.offset for m in bus.messages(IDENTITY_EVENTS)]

            async def ledger_consumed_all() -> bool:
                return bus.position("kinlink-ledger", IDENTITY_EVENTS) == published[-1]

            await eventually(ledger_consumed_all)
        finally:
            await bus.stop()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert ledger_terms(data_dir) == [("Recorded", 1), ("Revised", 2)]
