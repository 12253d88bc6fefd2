"""The example facility system's follower, fed records by hand (no broker): what each of Kinlink's
events does to the facility's books, once however often it comes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.commissary import OrderItem
from kinlink_contracts.commissary import OrderPaid
from kinlink_contracts.commissary import OrderResidentLeft
from kinlink_contracts.commissary import ResidentLeft
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_facility_example.books import Books
from kinlink_facility_example.books import EntryKind
from kinlink_facility_example.books import PackStatus
from kinlink_facility_example.follower import Follower
from kinlink_facility_example.reports import FacilityReports
from kinlink_facility_example.reports import posting_event_id
from kinlink_facility_example.settings import FacilitySettings

from tests.facility_example import captured

FACILITY, RESIDENT = "FAC-1", "R-1001"
AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


class RecordingProducer:
    """The facility topic, kept in a list: what the follower sends through its real reports."""

    def __init__(self) -> None:
        self.sent: list[Envelope] = []

    async def send_and_wait(self, topic: str, value: bytes, key: bytes) -> None:
        envelope = Envelope.from_bytes(value)
        assert key.decode() == envelope.key
        self.sent.append(envelope)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    opened = Books(tmp_path / "books.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def facility_topic() -> RecordingProducer:
    return RecordingProducer()


@pytest.fixture
def follower(books: Books, facility_topic: RecordingProducer, tmp_path: Path) -> Follower:
    settings = FacilitySettings("unused:9092", FACILITY, tmp_path / "books.sqlite", "g")
    reports = FacilityReports(facility_topic, "facility", FACILITY)  # type: ignore[arg-type]
    return Follower(settings, books, reports)


def record(event: IntegrationEvent, event_id: uuid.UUID | None = None) -> ConsumerRecord:
    value = Envelope.wrap(
        event, key=RESIDENT, producer="ledger", correlation_id="c", event_id=event_id
    ).to_bytes()
    return ConsumerRecord("t", 0, 0, 0, 0, RESIDENT.encode(), value, None, 0, len(value), [])


async def test_a_capture_delivered_twice_is_credited_once_and_posted_under_one_event_id(
    follower: Follower, books: Books, facility_topic: RecordingProducer
) -> None:
    deposit_id = uuid.uuid4()
    capture = record(captured(deposit_id, FACILITY, RESIDENT))
    await follower.handle(capture)
    await follower.handle(capture)
    (entry,) = books.statement(RESIDENT)
    assert (entry.kind, entry.amount_cents) == (EntryKind.DEPOSIT, 5000)
    assert [envelope.event_id for envelope in facility_topic.sent] == [
        posting_event_id(deposit_id)
    ] * 2
    assert {envelope.payload["posted_reference"] for envelope in facility_topic.sent} == {
        entry.posted_reference
    }


async def test_another_facilitys_events_and_records_that_are_not_envelopes_change_nothing(
    follower: Follower, books: Books, facility_topic: RecordingProducer
) -> None:
    await follower.handle(record(captured(uuid.uuid4(), "FAC-OTHER", RESIDENT)))
    garbage = ConsumerRecord("t", 0, 1, 0, 0, None, b"{", None, 0, 1, [])
    await follower.handle(garbage)
    assert books.statement(RESIDENT) == []
    assert facility_topic.sent == []


async def test_a_resident_leaving_delivered_again_after_the_decision_does_not_undo_it(
    follower: Follower, books: Books
) -> None:
    order_id = uuid.uuid4()
    paid = OrderPaid(
        order_id=order_id,
        facility_id=FACILITY,
        resident_id=RESIDENT,
        account_id=uuid.uuid4(),
        vendor="Union Supply",
        items=(OrderItem(sku="SNK-1", name="Crackers", quantity=1, unit_price_cents=350),),
        total_cents=350,
        receipt_number="K-2",
        paid_at=AT,
    )
    left = record(
        OrderResidentLeft(
            order_id=order_id,
            facility_id=FACILITY,
            resident_id=RESIDENT,
            left=ResidentLeft.RELEASED,
            left_at=AT,
        )
    )
    await follower.handle(record(paid))
    await follower.handle(left)
    assert books.pack(order_id).status is PackStatus.RESIDENT_LEFT
    books.mark_pack(order_id, PackStatus.DECIDED)  # `pack decided`
    await follower.handle(left)
    assert books.pack(order_id).status is PackStatus.DECIDED
