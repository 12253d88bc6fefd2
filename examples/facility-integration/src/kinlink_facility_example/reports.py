"""What the facility tells Kinlink, on `kinlink.facility.events.v1`: each report one of the
contract's events in the contract's envelope, keyed by the resident so that Kinlink reads one
resident's reports in the order they were made (a catalog, by the facility).

The producer is idempotent and waits for every in-sync replica (`acks="all"`): a report this
returns from is on the topic once. Kinlink's consumers recognise an event they applied by its
`event_id`, so a report sent again with the same id (see `DepositPosted`) changes nothing twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Self
from uuid import UUID
from uuid import uuid4
from uuid import uuid5

from aiokafka import AIOKafkaProducer
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import DepositPosted

from kinlink_facility_example.settings import KafkaSignIn


class FacilityReports:
    def __init__(self, producer: AIOKafkaProducer, topic: str, facility_id: str) -> None:
        self._producer = producer
        self._topic = topic
        self.facility_id = facility_id

    @classmethod
    @asynccontextmanager
    async def connected(
        cls, bootstrap: str, topic: str, facility_id: str, sign_in: KafkaSignIn | None = None
    ) -> AsyncIterator[Self]:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=f"facility-{facility_id}",
            enable_idempotence=True,
            acks="all",
            **(sign_in or KafkaSignIn()).client_options(),
        )
        await producer.start()
        try:
            yield cls(producer, topic, facility_id)
        finally:
            await producer.stop()

    async def publish(
        self,
        event: IntegrationEvent,
        *,
        key: str,
        event_id: UUID | None = None,
        caused_by: Envelope | None = None,
    ) -> Envelope:
        """Send `event` keyed by `key`: the resident's id, or the facility's for what concerns
        it whole (its catalog). One caused by a Kinlink event carries its correlation id on."""
        envelope = Envelope.wrap(
            event,
            key=key,
            producer=f"facility-{self.facility_id}",
            correlation_id=caused_by.correlation_id if caused_by else str(uuid4()),
            causation_id=str(caused_by.event_id) if caused_by else None,
            event_id=event_id,
        )
        await self._producer.send_and_wait(self._topic, envelope.to_bytes(), key=key.encode())
        return envelope

    async def deposit_posted(
        self, deposit_id: UUID, resident_id: str, posted_reference: str, captured: Envelope
    ) -> Envelope:
        """The posting of a captured deposit, under one event id per deposit however often it
        is sent (the capture delivered again, this process stopped before it committed)."""
        event = DepositPosted(
            deposit_id=deposit_id,
            facility_id=self.facility_id,
            resident_id=resident_id,
            posted_reference=posted_reference,
        )
        return await self.publish(
            event,
            key=resident_id,
            event_id=posting_event_id(deposit_id),
            caused_by=captured,
        )


def posting_event_id(deposit_id: UUID) -> UUID:
    return uuid5(deposit_id, "DepositPosted")
