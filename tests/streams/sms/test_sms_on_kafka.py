"""The SMS gateway as it runs (its bootstrap's consumers, directory and outbox relay) on the
real Kafka broker and PostgreSQL: a facility configured in identity and a message delivered by
messaging let a family member turn SMS on, and SmsTurnedOn reaches kinlink.sms.events.v1."""

from __future__ import annotations

import uuid

from aiokafka.structs import ConsumerRecord
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.sms import SmsTurnedOn
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.errors import ClientError
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.bootstrap import sms_gateway_service
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.start_verification import StartVerification
from kinlink_sms.service_layer.start_verification import start_verification

from tests.conftest import TokenKeys
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import SmsOutside
from tests.sms_doubles import sms_facility_settings
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic

PHONE = "+13125550123"


async def test_identity_and_messaging_events_let_sms_on_and_it_is_published(
    infra: Infra, fresh_database: str, clock: Clock, token_keys: TokenKeys
) -> None:
    run = uuid.uuid4().hex[:8]  # this run's own ids: the topics keep earlier runs' events
    facility_id, resident_id, family = f"FAC-{run}", f"R-{run}", uuid.uuid4()
    settings = SmsSettings(
        postgres_dsn=infra.postgres_url(fresh_database),
        consumer_group=f"test-sms-{run}",
        sms_numbers=list(KINLINK_NUMBERS),
    )
    for topic in (IDENTITY_EVENTS, MESSAGING_EVENTS):
        await skip_earlier_events(infra.kafka_bootstrap, topic, settings.consumer_group)
    outside = SmsOutside()
    gateway = build_sms_gateway(
        settings, carrier=outside.carrier, wallet=outside.wallet, messages=outside.messages
    )
    gateway.clock = clock
    configured = facility_configured(facility_id, sms_facility_settings())
    delivered = Envelope.wrap(
        MessageDelivered(
            message_id=uuid.uuid4(),
            facility_id=facility_id,
            resident_id=resident_id,
            account_id=family,
            direction=MessageDirection.TO_RESIDENT,
        ),
        key=resident_id,
        producer="messaging",
        correlation_id="test",
    )
    await produce(
        infra.kafka_bootstrap, IDENTITY_EVENTS, [(configured.key.encode(), configured.to_bytes())]
    )
    await produce(
        infra.kafka_bootstrap, MESSAGING_EVENTS, [(delivered.key.encode(), delivered.to_bytes())]
    )
    command = StartVerification(
        family, facility_id, resident_id, "(312) 555-0123", CURRENT_SMS_CONSENT_VERSION
    )

    async def verifying() -> bool:
        try:  # refused (facility_not_found, no_prior_correspondence) until both are consumed
            start_verification(gateway, command)
            return True
        except ClientError:
            return False

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return record.key == resident_id.encode()

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-sms")
    async with serving([sms_gateway_service(settings, bus, gateway)], bus, token_keys.verifier()):
        await eventually(verifying)
        code = outside.carrier.code_sent_to(PHONE)
        confirm_verification(gateway, family, facility_id, resident_id, code)
        records = await read_topic(
            infra.kafka_bootstrap, SMS_EVENTS, until=lambda rs: any(ours(r) for r in rs)
        )

    (envelope,) = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    turned_on = SmsTurnedOn.model_validate(envelope.payload)
    assert (envelope.type, envelope.producer) == ("SmsTurnedOn", "sms-gateway")
    assert (turned_on.account_id, turned_on.facility_id) == (family, facility_id)
    assert turned_on.consented_at == clock()
