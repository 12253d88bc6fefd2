"""What the facility follows from Kinlink, as a jail's trust-account and commissary systems would.

- `DepositCaptured` (ledger): a family's deposit was charged; it is credited to the resident's
  trust account and `DepositPosted` goes back with the account entry's number.
- `AllowanceConsumed` (commissary): part of a purchase this facility reported was paid from a
  family's allowance, so that part goes back to the resident's trust account (the purchase was
  taken from it whole when it was made).
- `OrderPaid` and `OrderResidentLeft` (commissary): a commissary pack to hand out when the vendor
  delivers it, or one whose resident left and waits for the facility's decision.

Everything else, and every event of another facility, is skipped: the topics carry all of
Kinlink's facilities, and new event types may appear on them at any time.

Kinlink delivers each event at least once. An event's change and its `event_id` are written in
one transaction, and the partition's offset is committed only after: a crash anywhere means the
event comes again and changes nothing twice. A posting is sent again each time its capture comes
(same event id: Kinlink posts the deposit once), so a crash before it was sent loses nothing.
A record that is not an envelope cannot be Kinlink's: it is logged by partition and offset and
skipped, since stopping here would stop every deposit behind it. An event of this facility that
breaks its own schema stops the follower instead (it comes again at every start): it is about
this facility's money, and nobody should skip it without looking.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.commissary import OrderPaid
from kinlink_contracts.commissary import OrderResidentLeft
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import DepositCaptured
from pydantic import ValidationError

from kinlink_facility_example.books import Books
from kinlink_facility_example.books import PackStatus
from kinlink_facility_example.books import UnknownPack
from kinlink_facility_example.reports import FacilityReports
from kinlink_facility_example.settings import FacilitySettings

log = logging.getLogger(__name__)


class Follower:
    def __init__(self, settings: FacilitySettings, books: Books, reports: FacilityReports) -> None:
        self._settings = settings
        self._books = books
        self._reports = reports
        self._handlers: dict[str, Callable[[Envelope], None]] = {
            AllowanceConsumed.event_type: self._allowance_consumed,
            OrderPaid.event_type: self._order_paid,
            OrderResidentLeft.event_type: self._order_resident_left,
        }

    async def run(self, stop: asyncio.Event) -> None:
        """Follow Kinlink's topics until `stop` is set, from the first event a new consumer
        group finds (a facility joining later still posts every deposit made to it)."""
        consumer = AIOKafkaConsumer(
            *self._settings.topics.followed(),
            bootstrap_servers=self._settings.kafka_bootstrap,
            group_id=self._settings.consumer_group,
            client_id=f"facility-{self._settings.facility_id}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._settings.sign_in.client_options(),
        )
        await consumer.start()
        log.info(
            "facility %s follows %s as consumer group %s",
            self._settings.facility_id,
            ", ".join(self._settings.topics.followed()),
            self._settings.consumer_group,
        )
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                for partition, records in batches.items():
                    for record in records:
                        await self.handle(record)
                    await consumer.commit({partition: records[-1].offset + 1})
        finally:
            await consumer.stop()

    async def handle(self, record: ConsumerRecord) -> None:
        try:
            envelope = Envelope.from_bytes(record.value)
        except ValidationError as error:
            log.error(
                "skipped a record that is not an envelope: %s %d:%d (%s)",
                record.topic,
                record.partition,
                record.offset,
                error.errors()[0]["msg"],
            )
            return
        if envelope.payload.get("facility_id") != self._settings.facility_id:
            return
        if envelope.type == DepositCaptured.event_type:
            await self._deposit_captured(envelope)
        elif (handler := self._handlers.get(envelope.type)) is not None:
            with self._books.handling(envelope.event_id) as new:
                if new:
                    handler(envelope)

    async def _deposit_captured(self, envelope: Envelope) -> None:
        captured = DepositCaptured.model_validate(envelope.payload)
        entry = self._books.post_deposit(
            captured.deposit_id, captured.resident_id, captured.amount_cents
        )
        await self._reports.deposit_posted(
            captured.deposit_id, captured.resident_id, entry.posted_reference, envelope
        )
        log.info(
            "posted deposit %s of %d cents to %s as %s",
            captured.deposit_id,
            captured.amount_cents,
            captured.resident_id,
            entry.posted_reference,
        )

    def _allowance_consumed(self, envelope: Envelope) -> None:
        consumed = AllowanceConsumed.model_validate(envelope.payload)
        self._books.give_back_allowance_part(
            consumed.allowance_id, consumed.order_id, consumed.resident_id, consumed.amount_cents
        )

    def _order_paid(self, envelope: Envelope) -> None:
        paid = OrderPaid.model_validate(envelope.payload)
        items = [item.model_dump(mode="json") for item in paid.items]
        self._books.pack_to_deliver(
            paid.order_id, paid.resident_id, paid.vendor, items, paid.total_cents
        )

    def _order_resident_left(self, envelope: Envelope) -> None:
        left = OrderResidentLeft.model_validate(envelope.payload)
        try:
            self._books.mark_pack(left.order_id, PackStatus.RESIDENT_LEFT)
        except UnknownPack:
            log.warning("order %s was paid before this system followed", left.order_id)
