"""RecordPackDecision and ListFlaggedOrders over gRPC: who may call them, the order as it is
answered, and each refusal's status, code and request field."""

from __future__ import annotations

from datetime import UTC
from datetime import timedelta

import grpc
import pytest
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.flag_overdue_orders import flag_overdue_orders
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refused_over_grpc
from kinlink_kit.testing import serving

from tests.commissary_fulfilment import FACILITY
from tests.commissary_fulfilment import OTHER_FACILITY
from tests.commissary_fulfilment import paid
from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.commissary.test_fulfilment import commissary  # noqa: F401 (fixture)
from tests.integration.commissary.test_fulfilment import commissary_settings  # noqa: F401

Stub = commissary_pb2_grpc.CommissaryServiceStub


@pytest.fixture
def stub(commissary_stub: Stub) -> Stub:
    """The commissary of this module's fixtures, served (the commissary tests' conftest)."""
    return commissary_stub


def officer(token_keys: TokenKeys, facility_id: str = FACILITY) -> Metadata:
    return bearer(token_keys.token("officer-1", Role.FACILITY_OFFICER, facilities=[facility_id]))


def operator(token_keys: TokenKeys) -> Metadata:
    return bearer(token_keys.token("operator-1", Role.OPERATOR))


def resident_gone(commissary: Commissary, *orders: Order) -> None:  # noqa: F811
    for order in orders:
        order.resident_gone(ResidentLeft.RELEASED, commissary.clock())
    commissary.store.save(*orders)


async def test_an_officer_records_the_decision_and_the_order_says_it(
    stub: Stub,
    commissary: Commissary,  # noqa: F811
    token_keys: TokenKeys,
    clock: Clock,
) -> None:
    order = paid(commissary)
    resident_gone(commissary, order)
    decided = await stub.RecordPackDecision(
        pb.RecordPackDecisionRequest(
            order_id=str(order.id), decision="forwarded", note="Sent to FAC-EAST."
        ),
        metadata=officer(token_keys),
    )
    assert decided.order_id == str(order.id)
    assert decided.status == pb.ORDER_STATUS_PAID
    assert decided.resident_left == pb.RESIDENT_LEFT_RELEASED
    assert (decided.facility_decision, decided.facility_decision_note) == (
        "forwarded",
        "Sent to FAC-EAST.",
    )
    assert decided.decided_at.ToDatetime(UTC) == clock.now
    assert decided.paid_at.ToDatetime(UTC) == order.paid_at
    assert decided.receipt_number == order.receipt_number
    assert [(i.sku, i.quantity, i.total_cents) for i in decided.items] == [
        ("COF-1", 2, 900),
        ("SOX-3", 1, 1299),
    ]
    assert decided.total_cents == 2199


async def test_refusals_name_their_field(
    stub: Stub,
    commissary: Commissary,  # noqa: F811
    token_keys: TokenKeys,
) -> None:
    order = paid(commissary)

    def decide(order_id: str, decision: str, metadata: Metadata, note: str = "") -> object:
        request = pb.RecordPackDecisionRequest(order_id=order_id, decision=decision, note=note)
        return stub.RecordPackDecision(request, metadata=metadata)

    mine = officer(token_keys)
    code = grpc.StatusCode
    await refused_over_grpc(
        decide("not-an-id", "forwarded", mine),
        code.INVALID_ARGUMENT,
        "order_id_invalid",
        "order_id",
    )
    await refused_over_grpc(
        decide(str(order.id), "forwarded", mine),
        code.FAILED_PRECONDITION,
        "resident_not_left",
        "decision",
    )
    resident_gone(commissary, order)
    await refused_over_grpc(
        decide(str(order.id), "sold", mine),
        code.INVALID_ARGUMENT,
        "pack_decision_unknown",
        "decision",
    )
    await refused_over_grpc(
        decide(str(order.id), "discarded", mine, note="x" * 501),
        code.INVALID_ARGUMENT,
        "note_too_long",
        "note",
    )
    await refused_over_grpc(
        decide(str(order.id), "forwarded", officer(token_keys, OTHER_FACILITY)),
        code.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    family = token_keys.family("family-1")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await decide(str(order.id), "forwarded", family)
    assert caught.value.code() is code.PERMISSION_DENIED


async def test_the_flagged_list_pages_through_the_longest_waiting_first(
    stub: Stub,
    commissary: Commissary,  # noqa: F811
    token_keys: TokenKeys,
    clock: Clock,
) -> None:
    first, second = paid(commissary), paid(commissary)
    elsewhere = paid(commissary, facility_id=OTHER_FACILITY)
    clock.now += timedelta(days=7)
    assert flag_overdue_orders(commissary) == 3
    clock.now += timedelta(hours=1)
    left = paid(commissary)
    resident_gone(commissary, left)

    async def listed(facility_id: str, metadata: Metadata, page_size: int = 1) -> list[str]:
        ids, token = [], ""
        while True:
            page = await stub.ListFlaggedOrders(
                pb.ListFlaggedOrdersRequest(
                    facility_id=facility_id, page_size=page_size, page_token=token
                ),
                metadata=metadata,
            )
            ids += [order.order_id for order in page.orders]
            token = page.next_page_token
            if not token:
                return ids

    mine = sorted([str(first.id), str(second.id)])  # flagged at the same moment: by id
    assert await listed(FACILITY, officer(token_keys)) == [*mine, str(left.id)]
    every = await listed("", operator(token_keys), page_size=50)
    assert sorted(every[:3]) == sorted([*mine, str(elsewhere.id)]) and every[3] == str(left.id)
    await refused_over_grpc(
        stub.ListFlaggedOrders(
            pb.ListFlaggedOrdersRequest(page_size=10), metadata=officer(token_keys)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "facility_id_required",
        "facility_id",
    )
    await refused_over_grpc(
        stub.ListFlaggedOrders(
            pb.ListFlaggedOrdersRequest(facility_id=FACILITY, page_size=0),
            metadata=officer(token_keys),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "page_size_invalid",
        "page_size",
    )


async def test_the_service_runs_the_overdue_sweep_in_the_replica_that_leads(
    commissary_settings: CommissarySettings,  # noqa: F811
    commissary: Commissary,  # noqa: F811
    token_keys: TokenKeys,
    clock: Clock,
) -> None:
    order = paid(commissary)
    clock.now += timedelta(days=7)
    settings = commissary_settings.model_copy(update={"overdue_sweep_every_seconds": 0.05})
    bus = InMemoryBus()
    async with serving([commissary_service(settings, bus, commissary)], bus, token_keys.verifier()):

        async def flagged() -> bool:
            found = commissary.find(order.id, Order, to_change=False)
            return found is not None and found.overdue

        await eventually(flagged)
