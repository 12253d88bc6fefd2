"""Identity follows the facilities' bookings, transfers and releases on the real broker: each takes
effect once, and what it cannot apply goes to the dead-letter topic."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from aiokafka import TopicPartition
from cryptography.fernet import Fernet
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import FAC_EAST
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.resident import Resident
from kinlink_identity.domain.resident import ResidentStatus
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.search_residents import SearchResidents
from kinlink_identity.service_layer.search_residents import search_residents
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.conftest import TokenKeys
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic

RUN = uuid.uuid4().hex[:8]
# Facilities of this run only: the topic keeps earlier runs' events.
FAC_A, FAC_B = f"FAC-A-{RUN}", f"FAC-B-{RUN}"


@pytest.fixture
def settings(infra: Infra, fresh_database: str, token_keys: TokenKeys) -> IdentitySettings:
    return IdentitySettings(
        postgres_dsn=infra.postgres_dsn,
        database=fresh_database,
        kafka_bootstrap=infra.kafka_bootstrap,
        jwt_private_key=token_keys.private_pem,
        jwt_key_id=token_keys.key_id,
        personal_data_key=Fernet.generate_key().decode(),
        outbox_relay=False,
        consumer_group=f"test-identity-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
def identity(settings: IdentitySettings) -> Iterator[Identity]:
    built = build_identity(settings)
    built.store.save(
        Facility.configure(FAC_A, DEMO_FACILITIES[FAC_DEMO]),
        Facility.configure(FAC_B, DEMO_FACILITIES[FAC_EAST]),
    )
    yield built
    built.close()


def message(event: IntegrationEvent, resident_id: str) -> tuple[bytes, bytes]:
    envelope = Envelope.wrap(event, key=resident_id, producer="facility-test", correlation_id=RUN)
    return resident_id.encode(), envelope.to_bytes()


async def skip_earlier_events(bootstrap: str, topic: str, group: str) -> None:
    """Commit the group's offsets at the end of the topic, as if it had read what earlier test
    runs left there (about facilities this database never heard of)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await producer.partitions_for(topic)]
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.commit(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


def resident(identity: Identity, facility_id: str, resident_id: str) -> Resident | None:
    return identity.find(Resident.create_id(facility_id, resident_id), Resident)


def booked(
    facility_id: str, resident_id: str, first_name: str, last_name: str
) -> tuple[bytes, bytes]:
    return message(
        ResidentBooked(
            facility_id=facility_id,
            resident_id=resident_id,
            first_name=first_name,
            last_name=last_name,
        ),
        resident_id,
    )


async def test_bookings_transfers_and_releases_take_effect_once(
    infra: Infra, settings: IdentitySettings, identity: Identity, token_keys: TokenKeys
) -> None:
    await skip_earlier_events(infra.kafka_bootstrap, FACILITY_EVENTS, settings.consumer_group)
    malformed = b'{"type": "ResidentBooked", "payload": {' + RUN.encode()
    stranger = f"R-{RUN}"
    await produce(
        infra.kafka_bootstrap,
        FACILITY_EVENTS,
        [
            booked(FAC_A, "R-1", "Ada", "Byron"),
            booked(FAC_A, "R-1", "Ada", "Byron"),  # the facility sent it twice
            (b"R-1", malformed),
            booked(f"FAC-NOWHERE-{RUN}", stranger, "No", "Where"),
            booked(FAC_A, "R-2", "Alan", "Byronsen"),
            message(
                ResidentTransferred(
                    facility_id=FAC_A, resident_id="R-2", to_facility_id=FAC_B, to_resident_id="B-7"
                ),
                "R-2",
            ),
            booked(FAC_A, "R-3", "Eve", "Byrowski"),
            message(ResidentReleased(facility_id=FAC_A, resident_id="R-3"), "R-3"),
        ],
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-identity")

    async def all_applied() -> bool:
        released, arrived = resident(identity, FAC_A, "R-3"), resident(identity, FAC_B, "B-7")
        return (
            released is not None
            and released.status is ResidentStatus.RELEASED
            and arrived is not None
        )

    async with serving([identity_service(settings, bus, identity)], bus, token_keys.verifier()):
        await eventually(all_applied)
        booked_twice = resident(identity, FAC_A, "R-1")
        assert booked_twice is not None and booked_twice.version == 1, "one booking, not two"
        moved = resident(identity, FAC_A, "R-2")
        assert moved is not None and moved.status is ResidentStatus.TRANSFERRED
        found = search_residents(identity, SearchResidents(last_name="BYRO"))
        assert [(r.facility_id, r.resident_id) for r in found] == [(FAC_A, "R-1"), (FAC_B, "B-7")]
        # Still serving: the rejected booking is dead-lettered only after its retries.
        dead = await read_topic(
            infra.kafka_bootstrap,
            dead_letter_topic(FACILITY_EVENTS),
            until=lambda records: (
                {malformed, stranger.encode()}
                <= {r.value for r in records} | {r.key for r in records}
            ),
        )
    ours = [r for r in dead if dict(r.headers)["dlq-group"] == settings.consumer_group.encode()]
    assert len(ours) == 2, "a booking sent twice is no error"
    unreadable = next(r for r in ours if r.value == malformed)
    assert dict(unreadable.headers)["dlq-error-type"] == b"ValidationError"
    rejected = {
        k: v.decode() for k, v in next(r for r in ours if r.key == stranger.encode()).headers
    }
    assert rejected["dlq-error-type"] == "FacilityEventRejected"
    assert "facility_not_found" in rejected["dlq-error"]
    assert rejected["dlq-group"] == settings.consumer_group
