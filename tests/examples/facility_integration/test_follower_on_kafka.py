"""The example facility system follows Kinlink's topics on the real broker (private topics, fed by
hand as the ledger and the commissary would): each event of its facility changes its
books once however often it comes, every capture is answered by the one posting of its deposit,
other facilities' events and records that are not envelopes are skipped, and a restarted follower
goes on from where it committed."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path

from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.commissary import OrderItem
from kinlink_contracts.commissary import OrderPaid
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import DepositPosted
from kinlink_facility_example.books import Books
from kinlink_facility_example.books import EntryKind
from kinlink_facility_example.books import PackStatus
from kinlink_facility_example.reports import posting_event_id
from kinlink_facility_example.settings import Topics
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.facility_example import captured
from tests.facility_example import following
from tests.streams.kafka_helpers import create_topics
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic

RUN = uuid.uuid4().hex[:8]
FACILITY, ELSEWHERE = f"FAC-FOLLOW-{RUN}", f"FAC-ELSEWHERE-{RUN}"
RESIDENT = "R-2001"
WRITER = uuid.uuid4()


def message(event: IntegrationEvent) -> tuple[bytes, bytes]:
    envelope = Envelope.wrap(event, key=RESIDENT, producer="test", correlation_id=RUN)
    return RESIDENT.encode(), envelope.to_bytes()


async def test_the_facility_follows_its_own_events_once_and_posts_each_deposit_once(
    infra: Infra, tmp_path: Path
) -> None:
    topics = Topics(
        *(f"test.facility-example.{RUN}.{name}" for name in ("facility", "ledger", "commissary"))
    )
    await create_topics(infra.kafka_bootstrap, topics.facility, *topics.followed())
    first, elsewhere, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    order_id, allowance_id = uuid.uuid4(), uuid.uuid4()
    capture = message(captured(first, FACILITY, RESIDENT))
    consumed = message(
        AllowanceConsumed(
            allowance_id=allowance_id,
            facility_id=FACILITY,
            resident_id=RESIDENT,
            order_id="P-77",
            amount_cents=300,
        )
    )
    await produce(
        infra.kafka_bootstrap,
        topics.ledger,
        [
            (RESIDENT.encode(), b"not an envelope"),
            capture,
            capture,  # delivered again, as Kinlink may
            message(captured(elsewhere, ELSEWHERE, RESIDENT)),
        ],
    )
    paid = OrderPaid(
        order_id=order_id,
        facility_id=FACILITY,
        resident_id=RESIDENT,
        account_id=WRITER,
        vendor="Union Supply",
        items=(OrderItem(sku="SNK-1", name="Crackers", quantity=2, unit_price_cents=350),),
        total_cents=700,
        receipt_number="K-0002",
        paid_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    )
    await produce(infra.kafka_bootstrap, topics.commissary, [message(paid), consumed, consumed])
    state_file, group = tmp_path / "books.sqlite", f"test-facility-{RUN}"
    purchase = Books(state_file)
    purchase.take_purchase("P-77", RESIDENT, 1200)  # reported by the facility itself
    purchase.close()

    async with following(infra.kafka_bootstrap, FACILITY, state_file, topics, group) as books:

        async def all_followed() -> bool:
            entries = books.statement(RESIDENT)
            return len(entries) == 3 and bool(books.packs())

        await eventually(all_followed, timeout=60)
        (deposit,) = [e for e in books.statement(RESIDENT) if e.kind is EntryKind.DEPOSIT]
        # The topics' events come in no order between topics.
        assert {(e.kind, e.amount_cents) for e in books.statement(RESIDENT)} == {
            (EntryKind.PURCHASE, -1200),
            (EntryKind.DEPOSIT, 5000),
            (EntryKind.ALLOWANCE, 300),  # the part of P-77 a family's allowance paid
        }
        assert books.balance_cents(RESIDENT) == 4100
        (pack,) = books.packs()
        assert (pack.order_id, pack.status, pack.total_cents) == (
            order_id,
            PackStatus.TO_DELIVER,
            700,
        )

    # Restarted under the same group: on from its committed offsets, nothing handled twice.
    await produce(
        infra.kafka_bootstrap, topics.ledger, [message(captured(second, FACILITY, RESIDENT))]
    )
    async with following(infra.kafka_bootstrap, FACILITY, state_file, topics, group) as books:

        async def second_posted() -> bool:
            return books.balance_cents(RESIDENT) == 9100

        await eventually(second_posted, timeout=60)
    # Every capture answered, the one delivered twice twice, none again after the restart.
    every_posting = await read_topic(
        infra.kafka_bootstrap, topics.facility, until=lambda r: len(r) >= 3
    )
    posted = [Envelope.from_bytes(record.value) for record in every_posting]
    deposits = sorted(envelope.payload["deposit_id"] for envelope in posted)
    assert deposits == sorted([str(first), str(first), str(second)])
    posted = [envelope for envelope in posted if envelope.payload["deposit_id"] == str(first)]
    assert {envelope.event_id for envelope in posted} == {posting_event_id(first)}
    posting = DepositPosted.model_validate(posted[0].payload)
    assert (posting.facility_id, posting.resident_id, posting.posted_reference) == (
        FACILITY,
        RESIDENT,
        deposit.posted_reference,
    )
    assert posted[0].key == RESIDENT
    assert posted[0].causation_id is not None
