"""The catalog, orders and posting runs over gRPC, on both stores: who may call what, the
answers as clients read them, and refusals with their status, code and field."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import refused_over_grpc

from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import FACILITY
from tests.commissary_orders import RESIDENT
from tests.commissary_orders import VENDOR
from tests.conftest import TokenKeys
from tests.conftest import bearer

Stub = commissary_pb2_grpc.CommissaryServiceStub


@pytest.fixture
def stub(commissary_stub: Stub) -> Stub:
    """The commissary of this module's fixtures, served (the commissary tests' conftest)."""
    return commissary_stub


def order_request(order_id: str, payment_method: str = "pm_card_visa") -> pb.PlaceOrderRequest:
    return pb.PlaceOrderRequest(
        order_id=order_id,
        facility_id=FACILITY,
        resident_id=RESIDENT,
        lines=[pb.OrderLine(sku="SOAP-1", quantity=2), pb.OrderLine(sku="NOOD-3", quantity=4)],
        payment_method=payment_method,
    )


async def test_a_family_member_places_sees_changes_and_cancels_an_order(
    stub: Stub, token_keys: TokenKeys, family: UUID
) -> None:
    me = token_keys.family(str(family))
    order_id = str(uuid4())
    placed = await stub.PlaceOrder(order_request(order_id, ""), metadata=me)
    assert (placed.status, placed.incomplete_reason, placed.total_cents) == (
        pb.ORDER_STATUS_INCOMPLETE,
        "payment_method_missing",
        600,
    )
    assert [
        (i.sku, i.name, i.quantity, i.unit_price_cents, i.total_cents) for i in placed.items
    ] == [
        ("SOAP-1", "Soap", 2, 150, 300),
        ("NOOD-3", "Noodles", 4, 75, 300),
    ]
    assert (placed.fulfilment, placed.resident_left) == (
        pb.FULFILMENT_NOT_SHIPPED,
        pb.RESIDENT_LEFT_NONE,
    )
    changed = await stub.ChangeOrder(
        pb.ChangeOrderRequest(order_id=order_id, payment_method="pm_card_visa"), metadata=me
    )
    assert changed.status == pb.ORDER_STATUS_READY_TO_PROCESS
    listed = await stub.ListOrders(pb.ListOrdersRequest(page_size=10), metadata=me)
    assert [o.order_id for o in listed.orders] == [order_id]
    cancelled = await stub.CancelOrder(pb.CancelOrderRequest(order_id=order_id), metadata=me)
    assert (cancelled.status, cancelled.cancelled_reason) == (pb.ORDER_STATUS_CANCELLED, "by_user")
    got = await stub.GetOrder(pb.GetOrderRequest(order_id=order_id), metadata=me)
    assert got == cancelled


async def test_refusals_name_their_code_and_field(
    stub: Stub, token_keys: TokenKeys, family: UUID
) -> None:
    me = token_keys.family(str(family))
    await refused_over_grpc(
        stub.PlaceOrder(order_request("not-a-uuid"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
        "order_id_invalid",
        "order_id",
    )
    bad_line = order_request(str(uuid4()))
    bad_line.lines.append(pb.OrderLine(sku="SOAP-1", quantity=1))
    await refused_over_grpc(
        stub.PlaceOrder(bad_line, metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
        "order_line_repeated",
        "lines",
    )
    elsewhere = order_request(str(uuid4()))
    elsewhere.resident_id = "R-NOBODY"
    await refused_over_grpc(
        stub.PlaceOrder(elsewhere, metadata=me),
        grpc.StatusCode.NOT_FOUND,
        "resident_not_found",
        "resident_id",
    )
    await refused_over_grpc(
        stub.GetOrder(pb.GetOrderRequest(order_id=str(uuid4())), metadata=me),
        grpc.StatusCode.NOT_FOUND,
        "order_not_found",
        "order_id",
    )


async def test_operators_import_catalogs_and_officers_post_their_facility(
    stub: Stub, token_keys: TokenKeys, family: UUID
) -> None:
    operator = bearer(token_keys.token("ops", Role.OPERATOR))
    imported = await stub.ImportCatalog(
        pb.ImportCatalogRequest(
            facility_id=FACILITY,
            vendor=VENDOR,
            csv=CATALOG_CSV,
            order_limit_cents=4000,
            max_items_per_order=10,
        ),
        metadata=operator,
    )
    assert (imported.revision, imported.order_limit_cents, len(imported.items)) == (2, 4000, 3)
    await refused_over_grpc(
        stub.ImportCatalog(
            pb.ImportCatalogRequest(
                facility_id=FACILITY,
                vendor=VENDOR,
                csv=CATALOG_CSV + b"BAD,,,,x,1\n",
                order_limit_cents=4000,
                max_items_per_order=10,
            ),
            metadata=operator,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "catalog_row_invalid",
        "csv",
    )
    me = token_keys.family(str(family))
    catalog = await stub.GetCatalog(pb.GetCatalogRequest(facility_id=FACILITY), metadata=me)
    assert catalog.revision == 2
    await refused_over_grpc(
        stub.ImportCatalog(pb.ImportCatalogRequest(facility_id=FACILITY), metadata=me),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )

    await stub.PlaceOrder(order_request(str(uuid4())), metadata=me)
    officer = bearer(token_keys.token("officer", Role.FACILITY_OFFICER, facilities=[FACILITY]))
    run = await stub.RunPosting(pb.RunPostingRequest(facility_id=FACILITY), metadata=officer)
    assert (run.run_date, run.orders_total, run.paid) == ("2026-11-25", 1, 1)
    again = await stub.GetPostingRun(
        pb.GetPostingRunRequest(facility_id=FACILITY, run_date="2026-11-25"), metadata=officer
    )
    assert again == run
    staff_list = await stub.ListOrders(
        pb.ListOrdersRequest(facility_id=FACILITY, page_size=10), metadata=officer
    )
    assert [o.status for o in staff_list.orders] == [pb.ORDER_STATUS_PAID]
    other = bearer(token_keys.token("officer", Role.FACILITY_OFFICER, facilities=["FAC-X"]))
    await refused_over_grpc(
        stub.RunPosting(pb.RunPostingRequest(facility_id=FACILITY), metadata=other),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    await refused_over_grpc(
        stub.GetPostingRun(
            pb.GetPostingRunRequest(facility_id=FACILITY, run_date="25/11/2026"),
            metadata=officer,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "run_date_invalid",
        "run_date",
    )
