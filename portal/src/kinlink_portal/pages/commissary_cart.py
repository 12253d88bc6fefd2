"""A commissary pack's cart: the facility's catalog by category with a quantity per item, what
the chosen quantities come to, and the facility's limits said before the commissary refuses
them. The cart lives in the page (its quantities in the address, then in the checkout form): the
portal keeps nothing between pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel.dates import get_day_names
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.identity.v1 import identity_pb2 as identity_pb
from starlette.requests import Request

from kinlink_portal.forms import Form
from kinlink_portal.i18n import current_language
from kinlink_portal.pages.cards import card_name
from kinlink_portal.pages.facility_form import WEEKDAYS
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

# The inputs of a cart: one quantity per item (`quantity.<sku>`), grouped as the order's lines
# (every refusal about a line is said beside them), and the card.
LINES = "lines"
QUANTITY = "quantity."
PAYMENT_METHOD = "payment_method"
PAY_AT_ORDER = "pay_at_order"


@dataclass(frozen=True)
class Cart:
    catalog: pb.Catalog
    quantities: dict[str, int]

    @property
    def lines(self) -> list[pb.OrderLine]:
        return [pb.OrderLine(sku=sku, quantity=n) for sku, n in self.quantities.items() if n]

    def chosen_items(self) -> list[tuple[pb.CatalogItem, int]]:
        """(item, quantity) of what is in the cart, in the catalog's order."""
        wanted = self.quantities
        return [(item, wanted[item.sku]) for item in self.catalog.items if wanted.get(item.sku)]

    @property
    def total_cents(self) -> int:
        return sum(item.price_cents * quantity for item, quantity in self.chosen_items())

    @property
    def item_count(self) -> int:
        return sum(quantity for _, quantity in self.chosen_items())

    def by_category(self) -> list[tuple[str, list[pb.CatalogItem]]]:
        """The items that can be ordered, by category (in the order they first appear)."""
        categories: dict[str, list[pb.CatalogItem]] = {}
        for item in self.catalog.items:
            if item.available:
                categories.setdefault(item.category, []).append(item)
        return list(categories.items())

    def problem(self) -> str:
        """The code of what the commissary would refuse in these lines, or ''."""
        if not self.lines:
            return "order_lines_missing"
        by_sku = {item.sku: item for item in self.catalog.items}
        for sku, quantity in self.quantities.items():
            item = by_sku.get(sku)
            if item is None or not item.available:
                return "item_unavailable"
            if quantity > item.max_per_order:
                return "quantity_above_item_limit"
        if self.catalog.max_items_per_order and self.item_count > self.catalog.max_items_per_order:
            return "too_many_items"
        if self.catalog.order_limit_cents and self.total_cents > self.catalog.order_limit_cents:
            return "order_limit_exceeded"
        return ""


def quantities_of(values: Mapping[str, str]) -> dict[str, int]:
    """The quantity typed for each item; an item left empty or at 0 is not in the cart, and a
    quantity that is not a whole number of at least 0 is refused beside the lines."""
    typed = {name[len(QUANTITY) :]: value.strip() for name, value in values.items()}
    found = {sku: value for sku, value in typed.items() if value not in ("", "0")}
    if not all(value.isdigit() for value in found.values()):
        raise Refusal("quantity_invalid", LINES)
    return {sku: int(value) for sku, value in found.items() if int(value)}


def typed_quantities(request_values: Mapping[str, str]) -> dict[str, str]:
    return {name: str(v) for name, v in request_values.items() if name.startswith(QUANTITY)}


def where_refused(refusal: Refusal) -> Refusal:
    """A refusal of one of the order's lines (`lines[2].quantity`) said beside the lines."""
    if refusal.field.startswith(LINES):
        return Refusal(refusal.code, LINES)
    return refusal


def read_cart(catalog: pb.Catalog, values: Mapping[str, str]) -> tuple[Cart, Form]:
    """The cart the quantities of `values` make, and the form showing it, with the limit it
    goes past (if any) said beside its lines."""
    cart = Cart(catalog, quantities_of(typed_quantities(values)))
    form = Form((LINES, PAYMENT_METHOD), values)
    problem = cart.problem()
    if problem and problem != "order_lines_missing":
        form.errors[LINES] = sentence(problem)
    return cart, form


async def catalog_of(request: Request, facility_id: str) -> pb.Catalog:
    asked = pb.GetCatalogRequest(facility_id=facility_id)
    return await call_signed_in(request, services(request).commissary.GetCatalog, asked)


async def card_choices(request: Request) -> list[identity_pb.Card]:
    listed = await call_signed_in(
        request, services(request).identity.ListCards, identity_pb.ListCardsRequest()
    )
    return list(listed.cards)


def card_options(cards: list[identity_pb.Card]) -> list[tuple[str, str]]:
    return [(card.card_id, card_name(card)) for card in cards]


def payment_method_of(cards: list[identity_pb.Card], card_id: str) -> str:
    """The processor token of the card chosen ('' to choose later); a card not the visitor's
    is refused beside the choice."""
    if not card_id:
        return ""
    for card in cards:
        if card.card_id == card_id:
            return card.payment_method
    raise Refusal("payment_method_not_found", PAYMENT_METHOD)


def card_id_of(cards: list[identity_pb.Card], payment_method: str) -> str:
    """The card the order pays with (none: '')."""
    paying = [card.card_id for card in cards if card.payment_method == payment_method]
    return paying[0] if payment_method and paying else ""


@dataclass(frozen=True)
class Payment:
    """When the facility charges its orders, as the cart and the order pages say it."""

    at_order: bool
    posting_day: str  # e.g. "Monday", in the visitor's language


async def payment_of(request: Request, facility_id: str) -> Payment:
    asked = identity_pb.GetFacilityRequest(facility_id=facility_id)
    facility = await call(request, services(request).identity.GetFacility, asked)
    settings = facility.settings
    weekdays = [day for day, _ in WEEKDAYS]
    posting = settings.commissary_posting_day
    # As a sentence names the day: "on Wednesday", "el miércoles".
    names = get_day_names("wide", locale=current_language())
    return Payment(
        at_order=settings.commissary_payment_mode == PAY_AT_ORDER,
        posting_day=names[weekdays.index(posting) if posting in weekdays else 0],
    )
