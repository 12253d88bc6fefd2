"""A poison message on identity's topic while messaging's dead-letter topic for it cannot be
written (deleted, auto-create off): messaging's consumer does not acknowledge it and records no
resident behind it until the topic is back; then it is dead-lettered and nothing is lost."""

from __future__ import annotations

from typing import Any

from kinlink_kit.testing import Infra

from tests.faults.test_messaging_consumer_restarts import GROUP
from tests.faults.test_messaging_consumer_restarts import booked
from tests.faults.test_messaging_consumer_restarts import opened
from tests.faults.test_messaging_consumer_restarts import residents_booked
from tests.faults.test_messaging_consumer_restarts import subscribing
from tests.faults.test_unwritable_dead_letter_topic import (
    a_poison_message_waits_for_its_dead_letter_topic,
)
from tests.tally import unique_topic


async def test_a_poison_message_waits_for_messagings_dead_letter_topic(
    infra: Infra, private_kafka: Any, fresh_database: str
) -> None:
    topic = unique_topic("messaging-unwritable-dlq")
    messaging = opened(infra.postgres_dsn, fresh_database)
    try:
        await a_poison_message_waits_for_its_dead_letter_topic(
            subscribing(messaging, topic),
            lambda: residents_booked(messaging),
            private_kafka.bootstrap,
            topic,
            GROUP,
            event=booked,
        )
    finally:
        messaging.close()
