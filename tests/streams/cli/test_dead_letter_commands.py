"""`kinlink ops dlq list|show|replay` on the real Kafka: an operator finds the event a consumer
rejected, reads why, and once the cause is fixed re-drives it; it then takes effect once, however
often it is replayed. Only operators may."""

from __future__ import annotations

import asyncio
import json
import uuid

from click.testing import CliRunner
from click.testing import Result
from kinlink_cli.main import cli
from kinlink_contracts.envelope import Envelope
from kinlink_kit.auth import Role
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import Tracking
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.conftest import TokenKeys
from tests.notebook import Noted
from tests.notebook import Notes
from tests.notebook import noted
from tests.streams.kafka_helpers import produce


async def kinlink(env: dict[str, str], *args: str) -> Result:
    # The CLI runs its own event loop: off this test's loop, in a thread.
    return await asyncio.to_thread(CliRunner(env=env).invoke, cli, ["ops", "dlq", *args])


async def test_an_operator_replays_a_dead_letter_once_its_cause_is_fixed(
    infra: Infra, token_keys: TokenKeys
) -> None:
    topic = f"test.dlq.{uuid.uuid4().hex[:8]}"
    env = {
        **token_keys.env(),
        "KINLINK_TOKEN": token_keys.token("operator-1", Role.OPERATOR),
        "KINLINK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
    }
    notes = Notes()
    closed_to = {"late"}  # the cause an operator fixes

    def note(envelope: Envelope, tracking: Tracking) -> None:
        if Noted.model_validate(envelope.payload).text in closed_to:
            raise EventRejected(envelope.type, "notebook_closed", "The notebook is closed.")
        notes.note(envelope, tracking)

    async def lines_are(*expected: str) -> bool:
        return notes.lines() == list(expected)

    bus = KafkaBus(infra.kafka_bootstrap, client_id="dlq-cli-test")
    TrackingConsumer(notes, bus, topic, "notes", {"Noted": note})
    await bus.start()
    try:
        await produce(
            infra.kafka_bootstrap, topic, [(b"k", noted(t)) for t in ("early", "late", "after")]
        )
        await eventually(lambda: lines_are("early", "after"), timeout=60)

        listed = await kinlink(env, "list", "--topic", topic, "--json")
        assert listed.exit_code == 0, listed.output
        [letter] = [json.loads(line) for line in listed.stdout.splitlines()]
        assert letter["error_type"] == "EventRejected"
        assert "notebook_closed" in letter["error"]
        assert letter["at"].endswith(":1")  # the second message of its partition

        shown = await kinlink(env, "show", "--topic", topic, letter["id"])
        assert shown.exit_code == 0, shown.output
        assert f"dlq-topic: {topic}" in shown.stdout
        assert '"text":"late"' in shown.stdout

        closed_to.clear()
        for _ in range(2):
            replayed = await kinlink(env, "replay", "--topic", topic)
            assert replayed.exit_code == 0, replayed.output
            assert f"replayed 1 dead letters to {topic}" in replayed.stdout
        # Whatever follows the two replays is handled after them: then the count is final.
        await produce(infra.kafka_bootstrap, topic, [(b"k", noted("sentinel"))])
        await eventually(lambda: lines_are("early", "after", "late", "sentinel"), timeout=60)
    finally:
        await bus.stop()
        notes.close()


async def test_only_operators_read_dead_letters(infra: Infra, token_keys: TokenKeys) -> None:
    env = {
        **token_keys.env(),
        "KINLINK_TOKEN": token_keys.token("auditor-1", Role.AUDITOR),
        "KINLINK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
    }
    refused = await kinlink(env, "list", "--topic", "kinlink.ledger.events.v1")
    assert refused.exit_code == 2
    assert "no operator role" in refused.output
