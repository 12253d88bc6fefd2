"""A family member's SMS reply from the webhook's handler to the resident's inbox, over the real
Kafka broker and PostgreSQL: the gateway charges it and its outbox publishes SmsReplyReceived;
published twice (a relay that restarted before recording how far it got), it still becomes one
message in messaging, paid by the gateway and never charged again."""

from __future__ import annotations

import uuid

from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import each
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_kit.testing.fixtures import new_database
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import messaging_service
from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.list_messages import ListMessages
from kinlink_messaging.service_layer.list_messages import list_sent
from kinlink_sms.adapters.integration_events import SmsEventTranslator
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.service_layer.receive_sms import receive_sms

from tests.conftest import TokenKeys
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import open_messaging
from tests.integration.sms.conftest import open_gateway
from tests.integration.sms.subscribed import subscribed
from tests.messaging_doubles import facility_settings
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.streams.identity.test_identity_facility_events import skip_earlier_events

PHONE = "+13125550123"


async def test_a_reply_published_twice_becomes_one_paid_message_to_the_resident(
    infra: Infra, clock: Clock, token_keys: TokenKeys
) -> None:
    run = uuid.uuid4().hex[:8]
    group = f"test-messaging-sms-replies-{run}"
    await skip_earlier_events(infra.kafka_bootstrap, SMS_EVENTS, group)
    sms_outside, messaging_outside = SmsOutside(), Outside()
    messaging_outside.directory.facilities[SMS_FACILITY] = facility_settings()
    messaging_outside.directory.book(SMS_FACILITY, RESIDENT)
    family = uuid.uuid4()
    sms_outside.wallet.fund(family, 100)

    with new_database(infra) as sms_database, new_database(infra) as messaging_database:
        gateway = open_gateway(
            SmsSettings(
                postgres_dsn=infra.postgres_url(sms_database), sms_numbers=list(KINLINK_NUMBERS)
            ),
            sms_outside,
            clock,
        )
        messaging_settings = MessagingSettings(
            postgres_dsn=infra.postgres_url(messaging_database), consumer_group=group
        )
        messaging = open_messaging(messaging_settings, messaging_outside, clock)
        try:
            conversation = subscribed(gateway, sms_outside, family, PHONE, SMS_FACILITY)
            assert conversation.kinlink_number is not None
            replies = [
                ReceivedSms(f"SM{uuid.uuid4().hex}", PHONE, conversation.kinlink_number, body, 1)
                for body in ("See you Sunday", "And bring the kids")
            ]
            assert receive_sms(gateway, replies[0]) is None

            bus = KafkaBus(infra.kafka_bootstrap, client_id=f"test-sms-replies-{run}")
            relay = OutboxRelay(gateway.store, bus, each(SmsEventTranslator(gateway.store)))
            await bus.start()
            try:
                reached = await relay.follow_once(relay.position())
                # All of it again, as a relay that stopped before recording how far it got.
                notifications = gateway.store.recorder.select_notifications(1, reached)
                await bus.publish(relay.messages(notifications))
                assert receive_sms(gateway, replies[1]) is None
                await relay.follow_once(reached)  # after the duplicate, on the same partition
            finally:
                await bus.stop()

            def sent() -> list[tuple[str, Direction, MessageStatus, int | None]]:
                rows = list_sent(messaging, ListMessages(family, page_size=10)).rows
                return sorted(
                    (m.body, m.direction, m.status, m.payment and m.payment.amount_cents)
                    for m in rows
                )

            async def both_in() -> bool:
                return len(sent()) >= 2

            kafka = KafkaBus(infra.kafka_bootstrap, client_id=f"test-messaging-sms-{run}")
            async with serving(
                [messaging_service(messaging_settings, kafka, messaging)],
                kafka,
                token_keys.verifier(),
            ):
                await eventually(both_in)
                # Once the second is in, the duplicate before it on its partition was handled.
                assert sent() == [
                    ("And bring the kids", Direction.TO_RESIDENT, MessageStatus.DELIVERED, 5),
                    ("See you Sunday", Direction.TO_RESIDENT, MessageStatus.DELIVERED, 5),
                ]
            charged = {p.reference: p.amount_cents for p in sms_outside.wallet.charged(family)}
            assert charged == {f"sms:{reply.sid}": 5 for reply in replies}, "once each"
            assert messaging_outside.wallet.charged(family) == [], "never charged by messaging"
        finally:
            gateway.close()
