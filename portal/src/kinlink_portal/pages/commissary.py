"""Commissary packs: the Commissary page, choosing the resident, the catalog and the cart, the
checkout (a card, or "choose later"), what the order then is (a receipt at facilities that
charge at once; "Ready to Process" at those that charge when their orders post), the Commissary
Pack History, an order with its tracking and what became of it, and Change Order / Cancel on the
orders that still allow them (decision 0062)."""

from __future__ import annotations

import uuid
from urllib.parse import quote as quoted
from urllib.parse import urlencode

from kinlink.commissary.v1 import commissary_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import FORM_WIDE
from kinlink_portal.forms import Form
from kinlink_portal.i18n import gettext
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.pages import deposits
from kinlink_portal.pages.commissary_cart import LINES
from kinlink_portal.pages.commissary_cart import PAYMENT_METHOD
from kinlink_portal.pages.commissary_cart import Cart
from kinlink_portal.pages.commissary_cart import card_choices
from kinlink_portal.pages.commissary_cart import card_id_of
from kinlink_portal.pages.commissary_cart import card_options
from kinlink_portal.pages.commissary_cart import catalog_of
from kinlink_portal.pages.commissary_cart import payment_method_of
from kinlink_portal.pages.commissary_cart import payment_of
from kinlink_portal.pages.commissary_cart import read_cart
from kinlink_portal.pages.commissary_cart import typed_quantities
from kinlink_portal.pages.commissary_cart import where_refused
from kinlink_portal.pages.commissary_parts import named_one
from kinlink_portal.pages.commissary_parts import named_rows
from kinlink_portal.pages.deposits import held_resident
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

STATUS = {
    pb.ORDER_STATUS_INCOMPLETE: N_("Incomplete"),
    pb.ORDER_STATUS_READY_TO_PROCESS: N_("Ready to Process"),
    pb.ORDER_STATUS_PROCESSING: N_("Processing"),
    pb.ORDER_STATUS_PAID: N_("Paid"),
    pb.ORDER_STATUS_CANCELLED: N_("Cancelled"),
}
# Only these may be changed or cancelled (all sales are final once paid).
CHANGEABLE = frozenset({pb.ORDER_STATUS_INCOMPLETE, pb.ORDER_STATUS_READY_TO_PROCESS})
CANCELLED_BECAUSE = {
    "by_user": N_("You cancelled this order."),
    "resident_released": N_("The resident was released before the order was charged."),
    "resident_transferred": N_("The resident was transferred before the order was charged."),
}
DECISIONS = {
    "returned_to_vendor": N_("The pack was returned to the commissary company."),
    "held_for_pickup": N_("The facility holds the pack for pickup."),
    "forwarded": N_("The facility forwarded the pack to the resident."),
    "given_to_resident": N_("The facility gave the pack to the resident."),
    "discarded": N_("The facility discarded the pack."),
}
NO_CARD = "payment_method_missing"
NO_CARD_WORDS = N_(
    "The payment method needs to be selected for this order. Click Change Order to choose a "
    "card and submit the order."
)
RESIDENT = ("facility_id", "resident_id")
PAGE_SIZE = 20


def shop_path(facility_id: str, resident_id: str) -> str:
    return f"/commissary/shop/{quoted(facility_id, safe='')}/{quoted(resident_id, safe='')}"


def order_path(order_id: str) -> str:
    return f"/commissary/orders/{quoted(order_id, safe='')}"


def status_words(order: pb.Order) -> str:
    return STATUS.get(order.status, N_("Processing"))


def incomplete_words(order: pb.Order) -> str:
    """Why an Incomplete order waits: no card chosen yet, or the card's decline."""
    reason = order.incomplete_reason or NO_CARD
    return gettext(NO_CARD_WORDS) if reason == NO_CARD else sentence(reason)


async def commissary(request: Request) -> Response:
    return render(request, "commissary.html")


async def choose_resident(request: Request) -> Response:
    """The resident to order for; found, on to their facility's catalog."""
    return await deposits.choose_resident(request, "commissary_choose.html", shop_path)


async def shop(request: Request) -> Response:
    """The catalog, by category, a quantity per item (those of the cart when back from it)."""
    facility_id, resident_id = (request.path_params[name] for name in RESIDENT)
    resident = await held_resident(request, facility_id, resident_id)
    catalog = await catalog_of(request, facility_id)
    values = typed_quantities(request.query_params)
    return render(
        request,
        "commissary_shop.html",
        resident=resident,
        cart=Cart(catalog, {}),
        form=Form((LINES,), values),
        cart_path=shop_path(facility_id, resident_id) + "/cart",
        dollars=dollars,
    )


async def posted(request: Request) -> dict[str, str]:
    return {name: str(value) for name, value in (await request.form()).items()}


async def cart(request: Request) -> Response:
    """The cart (quantities, total, the facility's limits, when it charges) and its checkout:
    a card or "choose later", all sales final said before the button. Placed, on to the
    order's page."""
    facility_id, resident_id = (request.path_params[name] for name in RESIDENT)
    resident = await held_resident(request, facility_id, resident_id)
    catalog = await catalog_of(request, facility_id)
    cards = await card_choices(request)
    if request.method == "POST":
        values = await posted(request)
    else:  # one order id per cart shown: the same checkout sent twice places one order
        values = dict(request.query_params) | {"order_id": str(uuid.uuid4())}
    form, chosen = Form((LINES, PAYMENT_METHOD), values), Cart(catalog, {})
    try:
        chosen, form = read_cart(catalog, values)
        if request.method == "POST" and not form.errors:
            asked = pb.PlaceOrderRequest(
                order_id=values.get("order_id", ""),
                facility_id=facility_id,
                resident_id=resident_id,
                lines=chosen.lines,
                payment_method=payment_method_of(cards, values.get(PAYMENT_METHOD, "")),
            )
            commissary = services(request).commissary
            placed = await call_signed_in(request, commissary.PlaceOrder, asked)
            return see_other(order_path(placed.order_id) + "?placed=1")
    except Refusal as refusal:
        form.refused(where_refused(refusal))
    return render(
        request,
        "commissary_cart.html",
        400 if form.errors else 200,
        resident=resident,
        cart=chosen,
        form=form,
        cards=card_options(cards),
        payment=await payment_of(request, facility_id),
        back=shop_path(facility_id, resident_id) + "?" + urlencode(typed_quantities(values)),
        dollars=dollars,
    )


async def history(request: Request) -> Response:
    """The Commissary Pack History: newest first, each with its status and, where the order
    still allows it, Change Order and Cancel."""
    token = page_token(request)
    asked = pb.ListOrdersRequest(page_size=PAGE_SIZE, page_token=token)
    page = await call_signed_in(request, services(request).commissary.ListOrders, asked)
    return render(
        request,
        "commissary_history.html",
        orders=page.orders,
        next_page_token=page.next_page_token,
        first_page=bool(token),
        **await named_rows(request, page.orders),
        status_words=status_words,
        incomplete_words=incomplete_words,
        changeable=CHANGEABLE,
        incomplete=pb.ORDER_STATUS_INCOMPLETE,
        notice=request.query_params.get("notice", ""),
        dollars=dollars,
    )


async def order(request: Request, problem: str = "", status: int = 200) -> Response:
    """An order: its items and status; just placed and paid, its receipt (print, return home);
    Ready to Process, when it will be charged; its tracking, an overdue pack's "Contact Us",
    and the facility's decision when the resident left before it arrived."""
    asked = pb.GetOrderRequest(order_id=request.path_params["order_id"])
    found = await call_signed_in(request, services(request).commissary.GetOrder, asked)
    return render(
        request,
        "commissary_order.html",
        status,
        order=found,
        placed=request.query_params.get("placed") == "1",
        notice=request.query_params.get("notice", ""),
        **await named_one(request, found),
        status_words=status_words(found),
        why=incomplete_words(found) if found.status == pb.ORDER_STATUS_INCOMPLETE else "",
        cancelled_because=CANCELLED_BECAUSE.get(found.cancelled_reason, ""),
        decision=DECISIONS.get(found.facility_decision, ""),
        payment=await payment_of(request, found.facility_id),
        may_change=found.status in CHANGEABLE,
        states=pb,
        problem=Form((), errors={FORM_WIDE: problem} if problem else {}),
        dollars=dollars,
    )


async def change_order(request: Request) -> Response:
    """Change Order: the quantities and the card of an Incomplete or Ready to Process order."""
    order_id = request.path_params["order_id"]
    commissary = services(request).commissary
    asked = pb.GetOrderRequest(order_id=order_id)
    found = await call_signed_in(request, commissary.GetOrder, asked)
    catalog = await catalog_of(request, found.facility_id)
    cards = await card_choices(request)
    values = {f"quantity.{item.sku}": str(item.quantity) for item in found.items}
    values[PAYMENT_METHOD] = card_id_of(cards, found.payment_method)
    chosen = Cart(catalog, {item.sku: item.quantity for item in found.items})
    form = Form((LINES, PAYMENT_METHOD), values)
    if request.method == "POST":
        values = await posted(request)
        form = Form((LINES, PAYMENT_METHOD), values)
        try:
            chosen, form = read_cart(catalog, values)
            if not chosen.lines:
                raise Refusal("order_lines_missing", LINES)
            if not form.errors:
                changing = pb.ChangeOrderRequest(
                    order_id=order_id,
                    lines=chosen.lines,
                    payment_method=payment_method_of(cards, values.get(PAYMENT_METHOD, "")),
                )
                await call_signed_in(request, commissary.ChangeOrder, changing)
                return see_other(order_path(order_id) + "?notice=changed")
        except Refusal as refusal:
            form.refused(where_refused(refusal))
    return render(
        request,
        "commissary_change.html",
        400 if form.errors else 200,
        order=found,
        cart=chosen,
        form=form,
        cards=card_options(cards),
        payment=await payment_of(request, found.facility_id),
        dollars=dollars,
    )


async def cancel_order(request: Request) -> Response:
    order_id = request.path_params["order_id"]
    cancelling = pb.CancelOrderRequest(order_id=order_id)
    try:
        await call_signed_in(request, services(request).commissary.CancelOrder, cancelling)
    except Refusal as refusal:
        return await order(request, sentence(refusal.code), 400)
    return see_other(order_path(order_id) + "?notice=cancelled")


routes = [
    Route("/commissary", commissary),
    Route("/commissary/order", choose_resident),
    Route("/commissary/shop/{facility_id}/{resident_id}", shop),
    Route("/commissary/shop/{facility_id}/{resident_id}/cart", cart, methods=["GET", "POST"]),
    Route("/commissary/orders", history),
    Route("/commissary/orders/{order_id}", order),
    Route("/commissary/orders/{order_id}/change", change_order, methods=["GET", "POST"]),
    Route("/commissary/orders/{order_id}/cancel", cancel_order, methods=["POST"]),
]
