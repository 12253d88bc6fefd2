"""The catalog, orders and posting runs over gRPC: ImportCatalog, GetCatalog, PlaceOrder,
ChangeOrder, CancelOrder, GetOrder, ListOrders, RunPosting and GetPostingRun."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from uuid import UUID

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp

from kinlink_commissary.domain.catalog import Catalog
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import Fulfilment
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.domain.posting_run import PostingRun
from kinlink_commissary.entrypoints.messages import REQUEST_FIELDS
from kinlink_commissary.entrypoints.messages import method
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import get_catalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.change_order import ChangeOrder
from kinlink_commissary.service_layer.change_order import cancel_order
from kinlink_commissary.service_layer.change_order import change_order
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.list_orders import ListOrders
from kinlink_commissary.service_layer.list_orders import list_orders
from kinlink_commissary.service_layer.orders_access import get_order
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_commissary.service_layer.run_posting import get_posting_run
from kinlink_commissary.service_layer.run_posting import run_posting

FAMILY = frozenset({Role.FAMILY_MEMBER})
STAFF_AND_FAMILY = frozenset(
    {Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.FACILITY_INTEGRATION, Role.OPERATOR}
)
SIGNED_IN = frozenset(Role)
CATALOG_IMPORTERS = frozenset({Role.OPERATOR, Role.FACILITY_INTEGRATION})
POSTERS = frozenset({Role.OPERATOR, Role.FACILITY_OFFICER})

ORDERS_POLICY: AccessPolicy = {
    method("ImportCatalog"): CATALOG_IMPORTERS,
    method("GetCatalog"): SIGNED_IN,
    method("PlaceOrder"): FAMILY,
    method("ChangeOrder"): FAMILY,
    method("CancelOrder"): FAMILY,
    method("GetOrder"): STAFF_AND_FAMILY,
    method("ListOrders"): STAFF_AND_FAMILY,
    method("RunPosting"): POSTERS,
    method("GetPostingRun"): POSTERS,
}

# The request field an order's or a catalog's refusal is about, by its code.
ORDER_FIELDS = {
    **dict.fromkeys(
        (
            "order_not_found",
            "order_id_reused",
            "order_not_changeable",
            "order_being_processed",
            "order_not_paid",
        ),
        "order_id",
    ),
    **dict.fromkeys(
        (
            "order_lines_missing",
            "order_line_repeated",
            "item_not_found",
            "item_unavailable",
            "quantity_invalid",
            "too_many_items",
            "order_limit_exceeded",
        ),
        "lines",
    ),
    **dict.fromkeys(("catalog_not_found", "commissary_unavailable"), "facility_id"),
    **dict.fromkeys(("catalog_row_invalid", "catalog_file_invalid"), "csv"),
    "vendor_missing": "vendor",
    "order_limit_invalid": "order_limit_cents",
    "max_items_invalid": "max_items_per_order",
    "posting_run_not_found": "run_date",
}

_STATUSES = proto_enum(OrderStatus, pb.OrderStatus)
_FULFILMENTS = proto_enum(Fulfilment, pb.Fulfilment)
_RESIDENT_LEFT = proto_enum(ResidentLeft, pb.ResidentLeft)


def _lines(lines: Iterable[pb.OrderLine]) -> tuple[OrderLine, ...]:
    return tuple(OrderLine(line.sku, line.quantity) for line in lines)


def _run_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidArgument(
            "run_date_invalid", "Give the run's date as YYYY-MM-DD.", field="run_date"
        ) from None


def catalog_message(catalog: Catalog) -> pb.Catalog:
    return pb.Catalog(
        facility_id=catalog.facility_id,
        vendor=catalog.vendor,
        revision=catalog.revision,
        order_limit_cents=catalog.order_limit_cents,
        max_items_per_order=catalog.max_items_per_order,
        items=[
            pb.CatalogItem(
                sku=item.sku,
                name=item.name,
                description=item.description,
                category=item.category,
                price_cents=item.price_cents,
                max_per_order=item.max_per_order,
                available=item.available,
            )
            for item in catalog.items.values()
        ],
        imported_at=at(catalog.imported_at),
    )


def at(instant: datetime | None) -> Timestamp | None:
    return timestamp(instant) if instant is not None else None


def order_message(order: Order) -> pb.Order:
    return pb.Order(
        order_id=str(order.id),
        account_id=str(order.account_id),
        facility_id=order.facility_id,
        resident_id=order.resident_id,
        vendor=order.vendor,
        items=[
            pb.OrderItem(
                sku=item.sku,
                name=item.name,
                quantity=item.quantity,
                unit_price_cents=item.unit_price_cents,
                total_cents=item.total_cents,
            )
            for item in order.items
        ],
        total_cents=order.total_cents,
        payment_method=order.payment_method,
        status=_STATUSES[order.status],
        incomplete_reason=order.incomplete_reason or "",
        cancelled_reason=order.cancelled_reason.value if order.cancelled_reason else "",
        placed_at=timestamp(order.placed_at),
        paid_at=at(order.paid_at),
        receipt_number=order.receipt_number or "",
        fulfilment=_FULFILMENTS[order.fulfilment],
        tracking_number=order.tracking_number or "",
        carrier=order.carrier or "",
        shipped_at=at(order.shipped_at),
        delivered_at=at(order.delivered_at),
        overdue=order.overdue,
        flagged_at=at(order.flagged_at),
        resident_left=_RESIDENT_LEFT[order.resident_left],
        resident_left_at=at(order.resident_left_at),
        facility_decision=order.facility_decision.value if order.facility_decision else "",
        facility_decision_note=order.facility_decision_note,
        decided_at=at(order.decided_at),
    )


def posting_run_message(run: PostingRun) -> pb.PostingRun:
    return pb.PostingRun(
        facility_id=run.facility_id,
        run_date=run.run_date.isoformat(),
        started_at=timestamp(run.started_at),
        finished_at=at(run.finished_at),
        orders_total=run.orders_total,
        paid=run.paid,
        incomplete=run.incomplete,
        still_processing=run.still_processing,
    )


class OrdersApi:
    commissary: Commissary

    async def ImportCatalog(
        self, request: pb.ImportCatalogRequest, context: grpc.aio.ServicerContext
    ) -> pb.Catalog:
        command = ImportCatalog(
            request.facility_id.strip(),
            request.vendor,
            request.csv,
            request.order_limit_cents,
            request.max_items_per_order,
        )
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            current_principal().require_facility(command.facility_id)
            catalog = await asyncio.to_thread(import_catalog, self.commissary, command)
        return catalog_message(catalog)

    async def GetCatalog(
        self, request: pb.GetCatalogRequest, context: grpc.aio.ServicerContext
    ) -> pb.Catalog:
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            catalog = await asyncio.to_thread(
                get_catalog, self.commissary, request.facility_id.strip()
            )
        return catalog_message(catalog)

    async def PlaceOrder(
        self, request: pb.PlaceOrderRequest, context: grpc.aio.ServicerContext
    ) -> pb.Order:
        command = PlaceOrder(
            parse_id(request.order_id, "order_id"),
            UUID(current_principal().account_id),
            request.facility_id.strip(),
            request.resident_id.strip(),
            _lines(request.lines),
            request.payment_method,
        )
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            order = await asyncio.to_thread(place_order, self.commissary, command)
        return order_message(order)

    async def ChangeOrder(
        self, request: pb.ChangeOrderRequest, context: grpc.aio.ServicerContext
    ) -> pb.Order:
        command = ChangeOrder(
            parse_id(request.order_id, "order_id"), _lines(request.lines), request.payment_method
        )
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            order = await asyncio.to_thread(
                change_order, self.commissary, current_principal(), command
            )
        return order_message(order)

    async def CancelOrder(
        self, request: pb.CancelOrderRequest, context: grpc.aio.ServicerContext
    ) -> pb.Order:
        order_id = parse_id(request.order_id, "order_id")
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            order = await asyncio.to_thread(
                cancel_order, self.commissary, current_principal(), order_id
            )
        return order_message(order)

    async def GetOrder(
        self, request: pb.GetOrderRequest, context: grpc.aio.ServicerContext
    ) -> pb.Order:
        order_id = parse_id(request.order_id, "order_id")
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            order = await asyncio.to_thread(
                get_order, self.commissary, current_principal(), order_id
            )
        return order_message(order)

    async def ListOrders(
        self, request: pb.ListOrdersRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListOrdersResponse:
        command = ListOrders(
            request.facility_id.strip(),
            request.resident_id.strip(),
            request.page_size,
            request.page_token,
        )
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            page = await asyncio.to_thread(
                list_orders, self.commissary, current_principal(), command
            )
        return pb.ListOrdersResponse(
            orders=[order_message(order) for order in page.rows],
            next_page_token=page.next_page_token,
        )

    async def RunPosting(
        self, request: pb.RunPostingRequest, context: grpc.aio.ServicerContext
    ) -> pb.PostingRun:
        facility_id = request.facility_id.strip()
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            current_principal().require_facility(facility_id)
            run = await asyncio.to_thread(run_posting, self.commissary, facility_id)
        return posting_run_message(run)

    async def GetPostingRun(
        self, request: pb.GetPostingRunRequest, context: grpc.aio.ServicerContext
    ) -> pb.PostingRun:
        facility_id = request.facility_id.strip()
        run_date = _run_date(request.run_date)
        with request_fields(REQUEST_FIELDS, ORDER_FIELDS):
            current_principal().require_facility(facility_id)
            run = await asyncio.to_thread(get_posting_run, self.commissary, facility_id, run_date)
        return posting_run_message(run)
