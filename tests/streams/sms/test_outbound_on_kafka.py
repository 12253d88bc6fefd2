"""A resident's message to a phone through the SMS gateway as it runs (its bootstrap's consumer,
dispatcher and outbox relay) on the real Kafka broker and PostgreSQL: messaging's
MessageDelivered, published twice, becomes one SMS; delivered, it is charged once and
SmsSent then SmsDelivered reach kinlink.sms.events.v1."""

from __future__ import annotations

import uuid

from aiokafka.structs import ConsumerRecord
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.sms import SmsDelivered
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import sms_gateway_service
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import MessageToSend
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

from tests.conftest import TokenKeys
from tests.integration.sms.conftest import open_gateway
from tests.integration.sms.outbound import PHONE
from tests.integration.sms.outbound import turned_on
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic


async def test_a_delivered_message_published_twice_is_one_sms_charged_once(
    infra: Infra, fresh_database: str, clock: Clock, token_keys: TokenKeys
) -> None:
    run = uuid.uuid4().hex[:8]  # this run's own ids: the topics keep earlier runs' events
    resident_id, family, message_id = f"R-{run}", uuid.uuid4(), uuid.uuid4()
    settings = SmsSettings(
        postgres_dsn=infra.postgres_url(fresh_database),
        consumer_group=f"test-sms-{run}",
        sms_numbers=list(KINLINK_NUMBERS),
        sms_dispatch_every_seconds=0.1,
    )
    await skip_earlier_events(infra.kafka_bootstrap, MESSAGING_EVENTS, settings.consumer_group)
    outside = SmsOutside()
    outside.wallet.fund(family, 100)
    gateway = open_gateway(settings, outside, clock)
    turned_on(gateway, family, resident_id=resident_id)
    outside.messages.deliver(
        MessageToSend(message_id, family, SMS_FACILITY, resident_id, "Ada Lovelace", "Hi", (), 0)
    )
    delivered = Envelope.wrap(
        MessageDelivered(
            message_id=message_id,
            facility_id=SMS_FACILITY,
            resident_id=resident_id,
            account_id=family,
            direction=MessageDirection.FROM_RESIDENT,
        ),
        key=resident_id,
        producer="messaging",
        correlation_id="test",
    )
    record = (delivered.key.encode(), delivered.to_bytes())
    await produce(infra.kafka_bootstrap, MESSAGING_EVENTS, [record, record])

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return record.key == resident_id.encode()

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-sms")
    async with serving([sms_gateway_service(settings, bus, gateway)], bus, token_keys.verifier()):

        async def sent() -> bool:
            return bool(outside.carrier.to(PHONE))

        await eventually(sent, timeout=60)
        ((sid, sms),) = outside.carrier.sent
        record_sms_status(gateway, sms.reference, StatusReport(sid, CarrierStatus.DELIVERED))
        records = await read_topic(
            infra.kafka_bootstrap,
            SMS_EVENTS,
            until=lambda rs: any(
                ours(r) and Envelope.from_bytes(r.value).type == "SmsDelivered" for r in rs
            ),
        )

    events = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    events = [envelope for envelope in events if "sms_id" in envelope.payload]  # not SmsTurnedOn
    assert [envelope.type for envelope in events] == ["SmsSent", "SmsDelivered"]
    paid = SmsDelivered.model_validate(events[1].payload)
    assert (paid.message_id, paid.amount_cents, paid.payment_reference) == (
        message_id,
        5,
        f"sms:{sid}",
    )
    assert len(outside.carrier.sent) == 1
    assert outside.wallet.balance(family) == 95
