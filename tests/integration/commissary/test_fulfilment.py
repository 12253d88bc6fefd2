"""Fulfilment from the facilities' topic and the overdue sweep, on SQLite and on the real
PostgreSQL: a paid order's pack shipped and delivered once however often the news comes; news of
an order not paid, or unknown, dead-lettered; a paid order flagged once when a week has passed
undelivered; a resident's leaving cancels their unpaid orders and marks the paid ones; the
facility's decision, by an officer or its integration, recorded once, even when two come at
once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import partial
from uuid import uuid4

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.domain.order import CancelledReason
from kinlink_commissary.domain.order import Fulfilment
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import PackDecision
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_commissary.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.decide_pack import DecidePack
from kinlink_commissary.service_layer.decide_pack import record_pack_decision
from kinlink_commissary.service_layer.flag_overdue_orders import flag_overdue_orders
from kinlink_commissary.service_layer.list_flagged_orders import ListFlaggedOrders
from kinlink_commissary.service_layer.list_flagged_orders import list_flagged_orders
from kinlink_contracts.facility import CommissaryPackDecided
from kinlink_contracts.facility import CommissaryPackDelivered
from kinlink_contracts.facility import CommissaryPackShipped
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_kit.testing import settings_on

from tests.commissary_fulfilment import FACILITY
from tests.commissary_fulfilment import OTHER_FACILITY
from tests.commissary_fulfilment import RESIDENT
from tests.commissary_fulfilment import open_commissary
from tests.commissary_fulfilment import order_now
from tests.commissary_fulfilment import paid
from tests.commissary_fulfilment import placed
from tests.integration.messaging.test_review_race import at_once
from tests.topic_feed import TopicFeed

OFFICER = Principal("officer-1", frozenset({Role.FACILITY_OFFICER}), frozenset({FACILITY}))
OTHER_OFFICER = Principal(
    "officer-2", frozenset({Role.FACILITY_OFFICER}), frozenset({OTHER_FACILITY})
)
OPERATOR = Principal("operator-1", frozenset({Role.OPERATOR}))
WEEK = timedelta(days=7)


@pytest.fixture(params=STORAGES)
def commissary_settings(request: pytest.FixtureRequest) -> CommissarySettings:
    return settings_on(request, CommissarySettings, kafka_bootstrap=None)


@pytest.fixture
def commissary(commissary_settings: CommissarySettings, clock: Clock) -> Iterator[Commissary]:
    built = open_commissary(commissary_settings, clock)
    yield built
    built.close()


@pytest.fixture
def facility_topic(commissary: Commissary) -> TopicFeed:
    return TopicFeed(commissary, FACILITY_EVENTS, FACILITY_HANDLERS)


@pytest.fixture
def identity_topic(commissary: Commissary) -> TopicFeed:
    """Where identity tells of every resident booked, transferred or released."""
    return TopicFeed(commissary, IDENTITY_EVENTS, IDENTITY_HANDLERS)


def flagged(commissary: Commissary, staff: Principal = OPERATOR, facility: str = "") -> list:
    page = list_flagged_orders(commissary, staff, ListFlaggedOrders(facility, page_size=50))
    return [order.id for order in page.rows]


async def test_a_paid_orders_pack_is_shipped_then_delivered_once(
    commissary: Commissary, facility_topic: TopicFeed, clock: Clock
) -> None:
    order = paid(commissary)
    shipped = CommissaryPackShipped(order_id=order.id, carrier="UPS", tracking_number="1Z999")
    envelope = await facility_topic.publish(shipped, RESIDENT, "vendor")
    await facility_topic.deliver(envelope, again=True)  # redelivered
    await facility_topic.publish(shipped, RESIDENT, "vendor")  # the vendor sent it twice
    delivered_at = clock.now + timedelta(days=2)
    delivered = CommissaryPackDelivered(order_id=order.id, delivered_at=delivered_at)
    await facility_topic.publish(delivered, RESIDENT, "vendor")
    await facility_topic.publish(delivered, RESIDENT, "vendor")
    # A shipping notice arriving after the delivery changes nothing either.
    await facility_topic.publish(shipped, RESIDENT, "vendor")
    now = order_now(commissary, order)
    assert (now.fulfilment, now.carrier, now.tracking_number) == (
        Fulfilment.DELIVERED,
        "UPS",
        "1Z999",
    )
    assert now.delivered_at == delivered_at
    assert now.shipped_at == envelope.occurred_at
    assert now.version == order.version + 2  # shipped, delivered
    assert facility_topic.dead_letters() == []


async def test_news_of_an_order_not_paid_or_unknown_is_dead_lettered(
    commissary: Commissary, facility_topic: TopicFeed
) -> None:
    ready = placed(commissary)
    await facility_topic.publish(
        CommissaryPackShipped(order_id=ready.id, carrier="UPS", tracking_number="1Z1"),
        RESIDENT,
        "vendor",
    )
    await facility_topic.publish(
        CommissaryPackDelivered(order_id=uuid4(), delivered_at=datetime(2026, 11, 26, tzinfo=UTC)),
        RESIDENT,
        "vendor",
    )
    not_paid, unknown = facility_topic.dead_letters()
    assert not_paid["dlq-error-type"] == "FulfilmentEventRejected"
    assert "order_not_paid" in not_paid["dlq-error"]
    assert "order_not_found" in unknown["dlq-error"]
    now = order_now(commissary, ready)
    assert (now.status, now.fulfilment) == (OrderStatus.READY_TO_PROCESS, Fulfilment.NOT_SHIPPED)


async def test_an_order_undelivered_a_week_after_payment_is_flagged_once(
    commissary: Commissary, facility_topic: TopicFeed, clock: Clock
) -> None:
    late = paid(commissary)
    arrived = paid(commissary)
    ready = placed(commissary)  # never paid: nothing is overdue
    clock.now += timedelta(days=1)
    newer = paid(commissary)
    await facility_topic.publish(
        CommissaryPackDelivered(order_id=arrived.id, delivered_at=clock.now), RESIDENT, "vendor"
    )
    clock.now += WEEK - timedelta(days=1, microseconds=1)
    assert flag_overdue_orders(commissary) == 0  # a microsecond short of the week
    clock.now += timedelta(microseconds=1)
    assert flag_overdue_orders(commissary) == 1
    assert flag_overdue_orders(commissary) == 0  # once
    flagged_order = order_now(commissary, late)
    assert flagged_order.overdue and flagged_order.flagged_at == clock.now
    assert not order_now(commissary, arrived).overdue
    assert not order_now(commissary, ready).overdue
    assert not order_now(commissary, newer).overdue
    assert flagged(commissary) == [late.id]
    assert flagged(commissary, OFFICER, FACILITY) == [late.id]
    # Delivered at last: support has nothing left to do with it.
    await facility_topic.publish(
        CommissaryPackDelivered(order_id=late.id, delivered_at=clock.now), RESIDENT, "vendor"
    )
    assert flagged(commissary) == []


async def test_a_released_residents_unpaid_orders_are_cancelled_and_paid_ones_marked(
    commissary: Commissary, facility_topic: TopicFeed, clock: Clock, identity_topic: TopicFeed
) -> None:
    incomplete = placed(commissary, payment_method="")
    ready = placed(commissary)
    processing = placed(commissary, pay_at_order=True)
    on_its_way = paid(commissary)
    arrived = paid(commissary)
    someone_else = placed(commissary, resident_id="R-1002")
    elsewhere = placed(commissary, facility_id=OTHER_FACILITY)
    await facility_topic.publish(
        CommissaryPackDelivered(order_id=arrived.id, delivered_at=clock.now), RESIDENT, "vendor"
    )
    clock.now += timedelta(hours=1)
    released = ResidentReleased(facility_id=FACILITY, resident_id=RESIDENT)
    envelope = await identity_topic.publish(released, RESIDENT, "identity")
    await identity_topic.deliver(envelope, again=True)
    for order in (incomplete, ready):
        now = order_now(commissary, order)
        assert (now.status, now.cancelled_reason) == (
            OrderStatus.CANCELLED,
            CancelledReason.RESIDENT_RELEASED,
        )
    marked = order_now(commissary, on_its_way)
    assert (marked.status, marked.resident_left) == (OrderStatus.PAID, ResidentLeft.RELEASED)
    assert marked.resident_left_at == envelope.occurred_at
    for untouched in (processing, arrived, someone_else, elsewhere):
        assert order_now(commissary, untouched).version == untouched.version + (
            1 if untouched is arrived else 0
        )
    assert flagged(commissary) == [on_its_way.id]
    assert facility_topic.dead_letters() == []


async def test_a_transferred_residents_orders_say_so(
    commissary: Commissary, facility_topic: TopicFeed, identity_topic: TopicFeed
) -> None:
    ready = placed(commissary)
    on_its_way = paid(commissary)
    moved = ResidentTransferred(
        facility_id=FACILITY, resident_id=RESIDENT, to_facility_id=OTHER_FACILITY
    )
    await identity_topic.publish(moved, RESIDENT, "identity")
    assert order_now(commissary, ready).cancelled_reason is CancelledReason.RESIDENT_TRANSFERRED
    assert order_now(commissary, on_its_way).resident_left is ResidentLeft.TRANSFERRED


async def test_the_facilitys_decision_is_recorded_once_by_an_officer_of_that_facility(
    commissary: Commissary, facility_topic: TopicFeed, identity_topic: TopicFeed
) -> None:
    order = paid(commissary)
    decide = DecidePack(order.id, "held_for_pickup", "At the front desk until Friday.")
    with refused(FailedPrecondition, "resident_not_left"):
        record_pack_decision(commissary, OFFICER, decide)
    await identity_topic.publish(
        ResidentReleased(facility_id=FACILITY, resident_id=RESIDENT), RESIDENT, "identity"
    )
    with refused(PermissionDenied, "facility_out_of_scope"):
        record_pack_decision(commissary, OTHER_OFFICER, decide)
    with refused(InvalidArgument, "pack_decision_unknown"):
        record_pack_decision(commissary, OFFICER, DecidePack(order.id, "sold", ""))
    with refused(InvalidArgument, "note_too_long"):
        record_pack_decision(commissary, OFFICER, DecidePack(order.id, "discarded", "x" * 501))
    assert flagged(commissary, OFFICER, FACILITY) == [order.id]
    decided = record_pack_decision(commissary, OFFICER, decide)
    assert decided.facility_decision is PackDecision.HELD_FOR_PICKUP
    assert decided.facility_decision_note == "At the front desk until Friday."
    again = record_pack_decision(commissary, OFFICER, decide)
    assert again.version == decided.version  # the same decision again: no change
    with refused(FailedPrecondition, "pack_already_decided"):
        record_pack_decision(commissary, OFFICER, DecidePack(order.id, "discarded", ""))
    # The integration saying otherwise afterwards is dead-lettered; saying the same, nothing.
    await facility_topic.publish(
        CommissaryPackDecided(order_id=order.id, decision=PackDecision.DISCARDED.value, note=""),
        RESIDENT,
        "facility",
    )
    [dead] = facility_topic.dead_letters()
    assert "pack_already_decided" in dead["dlq-error"]
    assert flagged(commissary, OFFICER, FACILITY) == []


async def test_the_facilitys_integration_records_its_decision(
    commissary: Commissary, facility_topic: TopicFeed, identity_topic: TopicFeed
) -> None:
    order = paid(commissary)
    await identity_topic.publish(
        ResidentReleased(facility_id=FACILITY, resident_id=RESIDENT), RESIDENT, "identity"
    )
    decided = CommissaryPackDecided(
        order_id=order.id, decision=PackDecision.RETURNED_TO_VENDOR.value, note="Unopened."
    )
    envelope = await facility_topic.publish(decided, RESIDENT, "facility")
    await facility_topic.publish(decided, RESIDENT, "facility")  # the same, sent twice
    now = order_now(commissary, order)
    assert (now.facility_decision, now.facility_decision_note) == (
        PackDecision.RETURNED_TO_VENDOR,
        "Unopened.",
    )
    assert now.version == order.version + 2  # marked, decided
    assert envelope.type == "CommissaryPackDecided"
    assert facility_topic.dead_letters() == []


def test_only_operators_list_every_facilitys_flagged_orders(commissary: Commissary) -> None:
    with refused(InvalidArgument, "facility_id_required"):
        list_flagged_orders(commissary, OFFICER, ListFlaggedOrders("", page_size=10))
    with refused(PermissionDenied, "facility_out_of_scope"):
        list_flagged_orders(commissary, OTHER_OFFICER, ListFlaggedOrders(FACILITY, page_size=10))


def test_of_two_decisions_at_once_one_is_recorded_and_the_other_refused(
    commissary: Commissary, clock: Clock
) -> None:
    for _ in range(5):
        order = paid(commissary)
        order.resident_gone(ResidentLeft.RELEASED, clock.now)
        commissary.store.save(order)
        forwarded = DecidePack(order.id, "forwarded", "")
        discarded = DecidePack(order.id, "discarded", "")
        outcomes = at_once(
            partial(record_pack_decision, commissary, OFFICER, forwarded),
            partial(record_pack_decision, commissary, OPERATOR, discarded),
        )
        [won] = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
        [lost] = [outcome for outcome in outcomes if isinstance(outcome, FailedPrecondition)]
        assert lost.code == "pack_already_decided"
        now = order_now(commissary, order)
        assert now.facility_decision == won.facility_decision  # type: ignore[attr-defined]
        assert now.version == order.version + 1
