"""`kinlink commissary ...`: allowances families give residents for commissary (held on a card,
only what is used charged), the facility's catalog (operators import it from CSV), commissary
pack orders (placed, changed or cancelled while Incomplete or Ready to Process), the facility's
posting run, and for staff the decision on a pack whose resident left and the orders flagged
as not delivered within a week."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from google.protobuf.message import Message
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.commissary.v1 import commissary_pb2_grpc

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say_next_page
from kinlink_cli.message_lines import client_key
from kinlink_cli.message_lines import facility_option
from kinlink_cli.message_lines import local_time
from kinlink_cli.message_lines import resident_option
from kinlink_cli.money import dollars
from kinlink_cli.money import parse_dollars

ALLOWANCE_STATUSES = {
    pb.ALLOWANCE_STATUS_ACTIVE: "active",
    pb.ALLOWANCE_STATUS_DECLINED: "declined",
    pb.ALLOWANCE_STATUS_ENDING: "ended, being settled",
    pb.ALLOWANCE_STATUS_ENDED: "ended",
}
ORDER_STATUSES = {
    pb.ORDER_STATUS_INCOMPLETE: "Incomplete",
    pb.ORDER_STATUS_READY_TO_PROCESS: "Ready to Process",
    pb.ORDER_STATUS_PROCESSING: "Processing",
    pb.ORDER_STATUS_PAID: "Paid",
    pb.ORDER_STATUS_CANCELLED: "Cancelled",
}
FULFILMENTS = {pb.FULFILMENT_SHIPPED: "shipped", pb.FULFILMENT_DELIVERED: "delivered"}
RESIDENT_LEFT = {pb.RESIDENT_LEFT_TRANSFERRED: "transferred", pb.RESIDENT_LEFT_RELEASED: "released"}
DECISIONS = ("returned_to_vendor", "held_for_pickup", "forwarded", "given_to_resident", "discarded")

optional_facility = click.option("--facility", default="", help="Only this facility's.")
optional_resident = click.option("--resident", default="", help="Only this resident's.")
payment_method_option = click.option(
    "--payment-method", default="", help="A card token, e.g. pm_card_visa (none: choose later)."
)
item_option = click.option(
    "--item",
    "items",
    multiple=True,
    metavar="SKU=QUANTITY",
    help="An item and how many, e.g. --item SNK-1=2; repeat for each item.",
)


def call_commissary(
    conn: Connection, method: str, request: Message, as_json: bool, show: Callable[[Any], None]
) -> Any:
    """Call one CommissaryService method, print its answer (JSON or `show`) and return it."""
    return conn.answer(commissary_pb2_grpc.CommissaryServiceStub, method, request, as_json, show)


def order_lines(items: tuple[str, ...]) -> list[pb.OrderLine]:
    lines = []
    for item in items:
        sku, equals, quantity = item.partition("=")
        if not equals or not sku or not quantity.isdigit():
            raise click.BadParameter(
                f"{item!r} is not SKU=QUANTITY, e.g. SNK-1=2", param_hint="--item"
            )
        lines.append(pb.OrderLine(sku=sku, quantity=int(quantity)))
    return lines


def allowance_line(allowance: pb.Allowance) -> str:
    status = ALLOWANCE_STATUSES.get(allowance.status, "unknown")
    if allowance.decline_reason:
        status += f": {allowance.decline_reason}"
    parts = [
        f"Allowance {allowance.allowance_id}",
        f"{allowance.resident_id} at {allowance.facility_id}",
        status,
        f"{dollars(allowance.amount_cents)}, used {dollars(allowance.used_cents)}, "
        f"left {dollars(allowance.left_cents)}",
    ]
    if allowance.status == pb.ALLOWANCE_STATUS_ACTIVE:
        parts.append(f"ends {local_time(allowance.period_ends_at)}")
    if allowance.status == pb.ALLOWANCE_STATUS_ENDED:
        parts.append(
            f"charged {dollars(allowance.captured_cents)}, "
            f"released {dollars(allowance.released_cents)}"
        )
    if allowance.receipt_number:
        parts.append(f"receipt {allowance.receipt_number}")
    return "  ".join(parts)


def show_allowance(allowance: pb.Allowance) -> None:
    click.echo(allowance_line(allowance))
    for use in allowance.uses:
        click.echo(
            f"  {local_time(use.purchased_at)}  {use.order_reference}  {dollars(use.amount_cents)}"
        )
    if allowance.status == pb.ALLOWANCE_STATUS_ACTIVE:
        click.echo("The resident is not notified: tell them about the allowance yourself.")


def show_allowances(page: pb.ListAllowancesResponse) -> None:
    for allowance in page.allowances:
        click.echo(allowance_line(allowance))
    if not page.allowances:
        click.echo("No allowance.")
    say_next_page(page.next_page_token)


def show_catalog(catalog: pb.Catalog) -> None:
    click.echo(
        f"{catalog.facility_id} from {catalog.vendor}, revision {catalog.revision}: at most "
        f"{dollars(catalog.order_limit_cents)} and {catalog.max_items_per_order} items an order"
    )
    for item in catalog.items:
        unavailable = "" if item.available else "  (no longer sold)"
        click.echo(
            f"  {item.sku}  {item.category}  {item.name}  {dollars(item.price_cents)}  "
            f"at most {item.max_per_order}{unavailable}"
        )


def order_line(order: pb.Order) -> str:
    status = ORDER_STATUSES.get(order.status, "unknown")
    if order.incomplete_reason:
        status += f": {order.incomplete_reason}"
    if order.cancelled_reason:
        status += f": {order.cancelled_reason}"
    parts = [
        f"Order {order.order_id}",
        f"{order.resident_id} at {order.facility_id}",
        status,
        dollars(order.total_cents),
        f"placed {local_time(order.placed_at)}",
    ]
    if order.receipt_number:
        parts.append(f"receipt {order.receipt_number}")
    if order.fulfilment in FULFILMENTS:
        parts.append(FULFILMENTS[order.fulfilment])
    if order.tracking_number:
        parts.append(f"{order.carrier} {order.tracking_number}")
    if order.overdue:
        parts.append("not delivered within a week")
    if order.resident_left in RESIDENT_LEFT:
        parts.append(f"resident {RESIDENT_LEFT[order.resident_left]}")
    if order.facility_decision:
        parts.append(f"facility: {order.facility_decision}")
    return "  ".join(parts)


def show_order(order: pb.Order) -> None:
    click.echo(order_line(order))
    for item in order.items:
        click.echo(
            f"  {item.quantity} x {item.sku} {item.name} at {dollars(item.unit_price_cents)}: "
            f"{dollars(item.total_cents)}"
        )
    if order.facility_decision_note:
        click.echo(f"  {order.facility_decision_note}")


def show_orders(page: pb.ListOrdersResponse) -> None:
    for order in page.orders:
        click.echo(order_line(order))
    if not page.orders:
        click.echo("No order.")
    say_next_page(page.next_page_token)


def one_command(
    name: str,
    key: str,
    method: str,
    request_type: Callable[..., Message],
    show: Callable[[Any], None],
    help: str,
) -> click.Command:
    """`kinlink commissary ... NAME ID`: `method` on the allowance or order `key` names, which
    it then shows."""

    @click.command(name=name, help=help)
    @click.argument(key)
    @json_option
    @pass_connection
    def command(conn: Connection, as_json: bool, **named: str) -> None:
        call_commissary(conn, method, request_type(**named), as_json, show)

    return command


def list_command(
    method: str, request_type: Callable[..., Message], show: Callable[[Any], None], help: str
) -> click.Command:
    """`kinlink commissary ... list`: a page of `method`'s list, of one facility or resident."""

    @click.command(name="list", help=help)
    @optional_facility
    @optional_resident
    @page_size_option
    @page_token_option
    @json_option
    @pass_connection
    def command(
        conn: Connection,
        facility: str,
        resident: str,
        page_size: int,
        page_token: str,
        as_json: bool,
    ) -> None:
        request = request_type(
            facility_id=facility, resident_id=resident, page_size=page_size, page_token=page_token
        )
        call_commissary(conn, method, request, as_json, show)

    return command


def show_posting(run: pb.PostingRun) -> None:
    click.echo(
        f"Posting {run.facility_id} {run.run_date}: {run.orders_total} orders, {run.paid} paid, "
        f"{run.incomplete} incomplete, {run.still_processing} still processing"
    )


@click.group()
def commissary() -> None:
    """Commissary: allowances, the catalog, commissary pack orders and their posting."""


@commissary.group()
def allowance() -> None:
    """Allowances: an amount held on your card for a resident's commissary; only what they use
    is charged when it ends, the rest released. The resident is not notified."""


@allowance.command(name="create")
@facility_option
@resident_option
@click.option("--amount", required=True, help="Dollars, e.g. 25.00.")
@click.option("--payment-method", required=True, help="A card token, e.g. pm_card_visa.")
@click.option(
    "--client-key", "allowance_id", default=None, help="Repeat a create safely with its key."
)
@json_option
@pass_connection
def create_allowance(
    conn: Connection,
    facility: str,
    resident: str,
    amount: str,
    payment_method: str,
    allowance_id: str | None,
    as_json: bool,
) -> None:
    """Hold an allowance on a card for a resident."""
    request = pb.CreateAllowanceRequest(
        allowance_id=client_key(allowance_id),
        facility_id=facility,
        resident_id=resident,
        amount_cents=parse_dollars(amount),
        payment_method=payment_method,
    )
    call_commissary(conn, "CreateAllowance", request, as_json, show_allowance)


allowance.add_command(
    list_command(
        "ListAllowances",
        pb.ListAllowancesRequest,
        show_allowances,
        "Your allowances, newest first.",
    )
)


allowance.add_command(
    one_command(
        "show",
        "allowance_id",
        "GetAllowance",
        pb.GetAllowanceRequest,
        show_allowance,
        "An allowance: what it paid for, what was charged and released, its receipt.",
    )
)
allowance.add_command(
    one_command(
        "end",
        "allowance_id",
        "EndAllowance",
        pb.EndAllowanceRequest,
        show_allowance,
        "End an allowance now: what was used is charged, the rest released.",
    )
)


@commissary.group()
def catalog() -> None:
    """The facility's commissary catalog."""


@catalog.command(name="import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@facility_option
@click.option("--vendor", required=True, help="The commissary company, e.g. Keefe.")
@click.option("--order-limit", required=True, help="Dollars an order may come to, e.g. 100.00.")
@click.option("--max-items", required=True, type=int, help="Items an order may hold.")
@json_option
@pass_connection
def import_catalog(
    conn: Connection,
    csv_file: Path,
    facility: str,
    vendor: str,
    order_limit: str,
    max_items: int,
    as_json: bool,
) -> None:
    """(Operators) Replace a facility's catalog with a CSV file: the header
    sku,name,description,category,price_cents,max_per_order, then a row per item."""
    request = pb.ImportCatalogRequest(
        facility_id=facility,
        vendor=vendor,
        csv=csv_file.read_bytes(),
        order_limit_cents=parse_dollars(order_limit),
        max_items_per_order=max_items,
    )
    call_commissary(conn, "ImportCatalog", request, as_json, show_catalog)


@catalog.command(name="show")
@facility_option
@json_option
@pass_connection
def show_one_catalog(conn: Connection, facility: str, as_json: bool) -> None:
    """A facility's catalog, its limits and items."""
    request = pb.GetCatalogRequest(facility_id=facility)
    call_commissary(conn, "GetCatalog", request, as_json, show_catalog)


@commissary.group()
def order() -> None:
    """Commissary pack orders. Only Incomplete and Ready to Process orders can be changed or
    cancelled; all sales are final."""


@order.command(name="place")
@facility_option
@resident_option
@item_option
@payment_method_option
@click.option("--client-key", "order_id", default=None, help="Repeat a place safely with its key.")
@json_option
@pass_connection
def place_order(
    conn: Connection,
    facility: str,
    resident: str,
    items: tuple[str, ...],
    payment_method: str,
    order_id: str | None,
    as_json: bool,
) -> None:
    """Order a commissary pack: Paid at once, or Ready to Process until the facility's orders
    post (Incomplete without a card)."""
    request = pb.PlaceOrderRequest(
        order_id=client_key(order_id),
        facility_id=facility,
        resident_id=resident,
        lines=order_lines(items),
        payment_method=payment_method,
    )
    call_commissary(conn, "PlaceOrder", request, as_json, show_order)


@order.command(name="change")
@click.argument("order_id")
@item_option
@payment_method_option
@json_option
@pass_connection
def change_order(
    conn: Connection, order_id: str, items: tuple[str, ...], payment_method: str, as_json: bool
) -> None:
    """Change an order's items (all of them, or none to keep them) or card."""
    request = pb.ChangeOrderRequest(
        order_id=order_id, lines=order_lines(items), payment_method=payment_method
    )
    call_commissary(conn, "ChangeOrder", request, as_json, show_order)


order.add_command(
    one_command(
        "cancel",
        "order_id",
        "CancelOrder",
        pb.CancelOrderRequest,
        show_order,
        "Cancel an Incomplete or Ready to Process order: nothing is charged.",
    )
)
order.add_command(
    one_command(
        "show",
        "order_id",
        "GetOrder",
        pb.GetOrderRequest,
        show_order,
        "An order, its items, status and delivery.",
    )
)


order.add_command(
    list_command(
        "ListOrders",
        pb.ListOrdersRequest,
        show_orders,
        "Your orders (staff: the facility's), newest first.",
    )
)


@commissary.command()
@facility_option
@json_option
@pass_connection
def post(conn: Connection, facility: str, as_json: bool) -> None:
    """(Operators, officers) Run the facility's posting now: charge its Ready to Process orders."""
    request = pb.RunPostingRequest(facility_id=facility)
    call_commissary(conn, "RunPosting", request, as_json, show_posting)


@commissary.command()
@click.argument("order_id")
@click.option("--decision", required=True, type=click.Choice(DECISIONS))
@click.option("--note", default="", help="What the family should know.")
@json_option
@pass_connection
def decide(conn: Connection, order_id: str, decision: str, note: str, as_json: bool) -> None:
    """(Officers) What the facility did with a pack whose resident left before it arrived."""
    request = pb.RecordPackDecisionRequest(order_id=order_id, decision=decision, note=note)
    call_commissary(conn, "RecordPackDecision", request, as_json, show_order)


@commissary.command()
@optional_facility
@page_size_option
@page_token_option
@json_option
@pass_connection
def flagged(
    conn: Connection, facility: str, page_size: int, page_token: str, as_json: bool
) -> None:
    """(Support, officers) Paid orders not delivered within a week."""
    request = pb.ListFlaggedOrdersRequest(
        facility_id=facility, page_size=page_size, page_token=page_token
    )
    call_commissary(conn, "ListFlaggedOrders", request, as_json, show_orders)
