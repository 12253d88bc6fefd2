"""Identity emails the receipt of a paid commissary order from the real broker: once, though the
commissary publishes the event twice; an order of an account identity does not know goes to the
dead-letter topic."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_identity.service_layer.identity import Identity
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.conftest import TokenKeys
from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_cards import signed_up
from tests.integration.identity.test_order_receipts import order_paid
from tests.integration.identity.test_order_receipts import receipts
from tests.streams.identity.test_identity_facility_events import settings  # noqa: F401 (fixture)
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic
from tests.topic_feed import wrapped


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def identity(settings: IdentitySettings, mailer: RecordingMailer) -> Iterator[Identity]:  # noqa: F811
    built = build_identity(settings, mailer)
    yield built
    built.close()


async def test_a_paid_order_published_twice_is_emailed_once(
    infra: Infra,
    settings: IdentitySettings,  # noqa: F811
    identity: Identity,
    mailer: RecordingMailer,
    token_keys: TokenKeys,
) -> None:
    await skip_earlier_events(infra.kafka_bootstrap, COMMISSARY_EVENTS, settings.consumer_group)
    pat = signed_up(identity, mailer, f"pat-{uuid4().hex[:8]}@example.com")
    sam = signed_up(identity, mailer, f"sam-{uuid4().hex[:8]}@example.com")
    stranger = uuid4()
    paid, unknown, last = (
        wrapped(order_paid(account_id), "R-1001", "commissary")
        for account_id in (pat.id, stranger, sam.id)
    )
    # One key, one partition: handled in this order, so Sam's receipt comes after the repeat.
    await produce(
        infra.kafka_bootstrap,
        COMMISSARY_EVENTS,
        [(b"R-1001", e.to_bytes()) for e in (paid, unknown, paid, last)],
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-identity")
    async with serving([identity_service(settings, bus, identity)], bus, token_keys.verifier()):

        async def sams_receipt_sent() -> bool:
            return sam.email in [r.to for r in receipts(mailer)]

        await eventually(sams_receipt_sent)
        dead = await read_topic(
            infra.kafka_bootstrap,
            dead_letter_topic(COMMISSARY_EVENTS),
            until=lambda records: any(str(stranger).encode() in r.value for r in records),
        )
    assert [r.to for r in receipts(mailer)] == [pat.email, sam.email]
    [ours] = [r for r in dead if str(stranger).encode() in r.value]
    headers = {k: v.decode() for k, v in ours.headers}
    assert headers["dlq-error-type"] == "CommissaryEventRejected"
    assert "account_not_found" in headers["dlq-error"]
