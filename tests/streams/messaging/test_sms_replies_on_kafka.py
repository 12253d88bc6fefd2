"""A family member's SMS reply on the real Kafka broker and PostgreSQL: SmsReplyReceived on the
SMS gateway's topic, delivered twice, becomes one message to the resident through messaging as
it runs (its bootstrap's consumers), paid by the gateway and never charged again."""

from __future__ import annotations

import uuid

from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import messaging_service
from kinlink_messaging.domain.message import Direction
from kinlink_messaging.service_layer.list_messages import ListMessages
from kinlink_messaging.service_layer.list_messages import list_sent

from tests.conftest import TokenKeys
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import open_messaging
from tests.integration.messaging.test_sms_replies import sms_reply
from tests.messaging_doubles import RESIDENT
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce


async def test_a_reply_delivered_twice_becomes_one_message_to_the_resident(
    infra: Infra, fresh_database: str, clock: Clock, token_keys: TokenKeys
) -> None:
    run = uuid.uuid4().hex[:8]
    group = f"test-messaging-sms-{run}"
    settings = MessagingSettings(
        postgres_dsn=infra.postgres_url(fresh_database), consumer_group=group
    )
    await skip_earlier_events(infra.kafka_bootstrap, SMS_EVENTS, group)
    outside = Outside()
    messaging = open_messaging(settings, outside, clock)
    family = uuid.uuid4()
    outside.wallet.fund(family, 1000)
    reply = sms_reply(family, body="See you Sunday")
    later = sms_reply(family, body="And bring the kids")
    # The same event twice (a relay that retried), then another on the same partition after it.
    await produce(
        infra.kafka_bootstrap,
        SMS_EVENTS,
        [(RESIDENT.encode(), e.to_bytes()) for e in (reply, reply, later)],
    )

    def sent() -> list[str]:
        return [m.body for m in list_sent(messaging, ListMessages(family, page_size=10)).rows]

    async def both_handled() -> bool:
        return len(sent()) >= 2

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-messaging-sms")
    # The service closes the application when it stops, as a process does.
    async with serving([messaging_service(settings, bus, messaging)], bus, token_keys.verifier()):
        await eventually(both_handled)
        rows = list_sent(messaging, ListMessages(family, page_size=10)).rows
    # Once the later one is in, the duplicate before it on its partition was handled.
    assert sorted(m.body for m in rows) == ["And bring the kids", "See you Sunday"]
    assert {(m.direction, m.resident_id) for m in rows} == {(Direction.TO_RESIDENT, RESIDENT)}
    assert [m.payment.amount_cents for m in rows if m.payment] == [50, 50]
    assert outside.wallet.charged(family) == [], "paid by the SMS gateway: never charged here"
