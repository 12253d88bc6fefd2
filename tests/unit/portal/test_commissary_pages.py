"""The Commissary pages as a family member uses them, against a stand-in commissary: allowances
(held on the card chosen, the resident not notified, uses and settlement, ending one), the
catalog, the cart with its limits and when the facility charges, the checkout, the order's page
(receipt, Ready to Process, Incomplete, tracking, overdue, the resident gone) and the
Commissary Pack History with Change Order / Cancel only where allowed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_portal.help import LANGUAGES
from kinlink_portal.help import load_topics
from kinlink_portal.i18n import LOCALE_DIR
from kinlink_portal.i18n import translations
from kinlink_portal.sentences import SENTENCES
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import refusal
from tests.unit.portal.family import FACILITY
from tests.unit.portal.family import family_portal
from tests.unit.portal.test_message_pages import ADA

# 2027-01-15 03:30 UTC: in Chicago still the evening of the 14th.
EVENING_OF_THE_14TH = Timestamp(seconds=1_799_983_800)
ALLOWANCE_ID = "5b0c1d2e-0000-4000-8000-000000000001"
ORDER_ID = "7d1e2f3a-0000-4000-8000-000000000002"
CATALOG = pb.Catalog(
    facility_id="FAC-DEMO",
    vendor="Keefe",
    order_limit_cents=5000,
    max_items_per_order=10,
    items=[
        pb.CatalogItem(
            sku="SNK-1", name="Pretzels", category="Snacks", price_cents=250, max_per_order=4,
            available=True,
        ),
        pb.CatalogItem(
            sku="HYG-1", name="Soap", category="Hygiene", price_cents=175, max_per_order=2,
            available=True,
        ),
        pb.CatalogItem(
            sku="SNK-2", name="Cookies", category="Snacks", price_cents=1500, max_per_order=5,
            available=True,
        ),
        pb.CatalogItem(
            sku="OLD-1", name="Discontinued gum", category="Snacks", price_cents=100,
            max_per_order=1, available=False,
        ),
    ],
)  # fmt: skip
SHOP = "/commissary/shop/FAC-DEMO/R-1001"
PORTAL_SOURCE = Path(LOCALE_DIR).parent  # portal/src/kinlink_portal


@pytest.fixture
def commissary() -> StandInIdentity:
    return StandInIdentity()


def facility(payment_mode: str) -> identity_pb.Facility:
    settings = identity_pb.FacilitySettings()
    settings.CopyFrom(FACILITY.settings)
    settings.commissary_payment_mode = payment_mode
    settings.commissary_posting_day = "wednesday"
    return identity_pb.Facility(facility_id="FAC-DEMO", settings=settings)


@pytest.fixture
def family(identity: StandInIdentity, commissary: StandInIdentity) -> Iterator[TestClient]:
    for client in family_portal(identity, StandInIdentity()):
        client.app.state.services.commissary = commissary  # type: ignore[attr-defined]
        identity.answers["SearchResidents"] = identity_pb.SearchResidentsResponse(residents=[ADA])
        identity.answers["GetFacility"] = facility("charge_at_posting")
        commissary.answers["GetCatalog"] = CATALOG
        yield client


def asked(stand_in: StandInIdentity, method: str) -> Any:
    return next(call[1] for call in stand_in.calls if call[0] == method)


def text_of(page: str) -> str:
    """The page's words, without tags, on one line."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_commissary_page_leads_to_each_part_and_its_help(family: TestClient) -> None:
    page = family.get("/commissary").text
    assert '<a href="/commissary" aria-current="page">Commissary</a>' in page  # in the menu
    for part in ("/commissary/order", "/commissary/orders", "/allowances/new", "/allowances"):
        assert f'href="{part}"' in page
    assert 'href="/help/commissary-order"' in page
    assert family.get("/help/commissary-order").status_code == 200


# --- Allowances ---


def allowance_form(family: TestClient, card_id: str) -> dict[str, str]:
    form = family.get("/allowances/new").text
    return {
        "csrf_token": csrf_of(form),
        "allowance_id": ALLOWANCE_ID,
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "amount_cents": "25.00",
        "payment_method": card_id,
    }


def test_an_allowance_is_held_through_the_commissary_on_the_card_chosen_once_per_form(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["CreateAllowance"] = pb.Allowance(allowance_id=ALLOWANCE_ID)
    sent = allowance_form(family, "card-2")
    held = family.post("/allowances/new", data=sent, follow_redirects=False)
    assert held.headers["location"] == f"/allowances/{ALLOWANCE_ID}"
    created = asked(commissary, "CreateAllowance")
    assert (created.allowance_id, created.amount_cents, created.payment_method) == (
        ALLOWANCE_ID,
        2500,
        "pm_card_mastercard",  # the card identity keeps, never a token the form names
    )
    assert (created.facility_id, created.resident_id) == ("FAC-DEMO", "R-1001")


def test_the_allowance_form_says_the_resident_is_not_notified_and_only_what_is_used_is_charged(
    family: TestClient,
) -> None:
    page = text_of(family.get("/allowances/new?facility_id=FAC-DEMO&resident_id=R-1001").text)
    assert "The resident is not notified of the allowance." in page
    assert "It is your responsibility to tell them about it." in page
    assert "Only what the resident uses is charged to your card" in page
    assert 'value="R-1001"' in family.get("/allowances/new?resident_id=R-1001").text


def test_an_allowance_with_a_card_not_the_familys_is_refused_beside_the_card(
    family: TestClient, commissary: StandInIdentity
) -> None:
    refused = family.post("/allowances/new", data=allowance_form(family, "pm_card_visa"))
    assert refused.status_code == 400
    assert error_beside(refused.text, "payment_method").startswith("We do not know this card")
    assert not commissary.calls


def test_a_resident_released_is_refused_beside_the_resident(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["CreateAllowance"] = refusal(
        FailedPrecondition("resident_released", "Released.", field="resident_id")
    )
    refused = family.post("/allowances/new", data=allowance_form(family, "card-1"))
    assert refused.status_code == 400
    assert "has been released" in error_beside(refused.text, "resident_id")


def allowance(status: int, **fields: Any) -> pb.Allowance:
    return pb.Allowance(
        allowance_id=ALLOWANCE_ID,
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        amount_cents=2500,
        status=status,  # type: ignore[arg-type]
        created_at=EVENING_OF_THE_14TH,
        **fields,
    )


@pytest.mark.parametrize(
    ("status", "words", "may_end"),
    [
        (pb.ALLOWANCE_STATUS_ACTIVE, "Active: held on your card", True),
        (pb.ALLOWANCE_STATUS_DECLINED, "Declined: nothing is held", False),
        (pb.ALLOWANCE_STATUS_ENDING, "Ended: being settled with your card", False),
        (pb.ALLOWANCE_STATUS_ENDED, "Ended: what was used is charged", False),
    ],
)
def test_an_allowance_says_its_status_and_may_be_ended_only_while_active(
    family: TestClient, commissary: StandInIdentity, status: int, words: str, may_end: bool
) -> None:
    commissary.answers["GetAllowance"] = allowance(status)
    page = family.get(f"/allowances/{ALLOWANCE_ID}").text
    assert words in page
    assert (f'action="/allowances/{ALLOWANCE_ID}/end"' in page) is may_end


def test_an_ended_allowance_lists_its_uses_what_was_charged_released_and_its_receipt(
    family: TestClient, commissary: StandInIdentity
) -> None:
    use = pb.AllowanceUse(
        order_reference="PUR-77", amount_cents=900, purchased_at=EVENING_OF_THE_14TH
    )
    commissary.answers["GetAllowance"] = allowance(
        pb.ALLOWANCE_STATUS_ENDED,
        used_cents=900,
        captured_cents=900,
        released_cents=1600,
        uses=[use],
        receipt_number="KL-ALW1",
        ended_at=EVENING_OF_THE_14TH,
    )
    page = text_of(family.get(f"/allowances/{ALLOWANCE_ID}").text)
    assert "Ada Lovelace (R-1001)" in page
    assert "PUR-77" in page and "Jan 14, 2027" in page  # the facility's day, not UTC's
    assert "Charged to your card $9.00" in page and "Released $16.00" in page
    assert 'href="/receipts/KL-ALW1"' in family.get(f"/allowances/{ALLOWANCE_ID}").text


def test_ending_an_allowance_refused_says_why_on_its_page(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetAllowance"] = allowance(pb.ALLOWANCE_STATUS_ACTIVE)
    commissary.answers["EndAllowance"] = refusal(NotFound("allowance_not_found", "Not yours."))
    page = family.get(f"/allowances/{ALLOWANCE_ID}").text
    ended = family.post(f"/allowances/{ALLOWANCE_ID}/end", data={"csrf_token": csrf_of(page)})
    assert ended.status_code == 400
    assert "We do not know this allowance." in ended.text


def test_ending_an_allowance_asks_the_commissary_for_that_allowance(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetAllowance"] = allowance(pb.ALLOWANCE_STATUS_ACTIVE)
    commissary.answers["EndAllowance"] = allowance(pb.ALLOWANCE_STATUS_ENDING)
    page = family.get(f"/allowances/{ALLOWANCE_ID}").text
    ended = family.post(
        f"/allowances/{ALLOWANCE_ID}/end",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert ended.headers["location"] == f"/allowances/{ALLOWANCE_ID}"
    assert asked(commissary, "EndAllowance").allowance_id == ALLOWANCE_ID


def test_the_allowances_are_listed_with_their_status_and_a_link(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["ListAllowances"] = pb.ListAllowancesResponse(
        allowances=[allowance(pb.ALLOWANCE_STATUS_ACTIVE, used_cents=500)], next_page_token="p2"
    )
    page = family.get("/allowances").text
    assert "Active: held on your card" in page and "$25.00" in page and "$5.00" in page
    assert f'href="/allowances/{ALLOWANCE_ID}"' in page and 'href="?page=p2"' in page
    commissary.answers["ListAllowances"] = pb.ListAllowancesResponse()
    assert "You have not given an allowance yet." in family.get("/allowances").text


# --- Choosing a resident, the catalog, the cart ---


def test_a_resident_not_held_is_refused_beside_the_resident_id(
    family: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["SearchResidents"] = identity_pb.SearchResidentsResponse()
    page = family.get("/commissary/order?facility_id=FAC-DEMO&resident_id=R-9").text
    assert "We could not find this resident" in error_beside(page, "resident_id")
    identity.answers["SearchResidents"] = identity_pb.SearchResidentsResponse(residents=[ADA])
    found = family.get(
        "/commissary/order?facility_id=FAC-DEMO&resident_id=R-1001", follow_redirects=False
    )
    assert found.headers["location"] == SHOP


def test_the_catalog_shows_what_can_be_ordered_by_category_with_the_limits(
    family: TestClient,
) -> None:
    page = family.get(SHOP).text
    words = text_of(page)
    assert "Commissary pack for Ada Lovelace" in words
    assert "An order may come to at most $50.00." in words
    assert "An order may hold at most 10 items." in words
    assert words.index("Snacks") < words.index("Pretzels") < words.index("Cookies")
    assert words.index("Cookies") < words.index("Hygiene") < words.index("Soap")
    assert "Discontinued gum" not in words
    assert 'name="quantity.SNK-1"' in page and 'max="4"' in page


def test_the_cart_adds_up_the_quantities_and_says_when_the_facility_charges(
    family: TestClient,
) -> None:
    page = family.get(f"{SHOP}/cart?quantity.SNK-1=2&quantity.HYG-1=1&quantity.SNK-2=").text
    words = text_of(page)
    assert "Pretzels 2 $2.50 $5.00" in words and "Soap 1 $1.75 $1.75" in words
    assert "Order total $6.75" in words
    assert "Cookies" not in words
    assert "when its orders post, on Wednesday: you are not charged now" in words
    assert "All sales are final." in words
    assert words.index("All sales are final.") < words.index("Place the order")
    assert "Choose later" in words


def test_a_facility_that_charges_at_order_says_the_card_is_charged_now(
    family: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["GetFacility"] = facility("pay_at_order")
    words = text_of(family.get(f"{SHOP}/cart?quantity.SNK-1=1").text)
    assert "your card is charged now, and you get a receipt at once" in words


@pytest.mark.parametrize(
    ("quantities", "said"),
    [
        ("quantity.SNK-2=4", "comes to more than the facility takes in one order"),
        ("quantity.SNK-1=5", "more times than one order may hold"),
        ("quantity.SNK-1=two", "whole number"),
    ],
)
def test_a_cart_past_a_limit_says_which_beside_its_items(
    family: TestClient, commissary: StandInIdentity, quantities: str, said: str
) -> None:
    page = family.get(f"{SHOP}/cart?{quantities}")
    assert page.status_code == 400
    assert said in page.text
    assert not [call for call in commissary.calls if call[0] == "PlaceOrder"]


def checkout(family: TestClient, card_id: str, **quantities: str) -> Any:
    query = "&".join(f"quantity.{sku}={n}" for sku, n in quantities.items())
    page = family.get(f"{SHOP}/cart?{query}").text
    order_id = re.search(r'name="order_id" value="([^"]+)"', page)
    assert order_id
    data = {
        "csrf_token": csrf_of(page),
        "order_id": order_id.group(1),
        "payment_method": card_id,
        **{f"quantity.{sku}": n for sku, n in quantities.items()},
    }
    return family.post(f"{SHOP}/cart", data=data, follow_redirects=False)


def test_checkout_places_the_order_with_its_lines_and_the_cards_token(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["PlaceOrder"] = pb.Order(order_id=ORDER_ID)
    placed = checkout(family, "card-1", **{"SNK-1": "2", "HYG-1": "1"})
    assert placed.headers["location"] == f"/commissary/orders/{ORDER_ID}?placed=1"
    order = asked(commissary, "PlaceOrder")
    assert (order.facility_id, order.resident_id, order.payment_method) == (
        "FAC-DEMO",
        "R-1001",
        "pm_card_visa",
    )
    assert {(line.sku, line.quantity) for line in order.lines} == {("SNK-1", 2), ("HYG-1", 1)}
    assert order.order_id


def test_checkout_choosing_the_card_later_sends_no_payment_method(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["PlaceOrder"] = pb.Order(order_id=ORDER_ID)
    checkout(family, "", **{"SNK-1": "1"})
    assert asked(commissary, "PlaceOrder").payment_method == ""


def test_a_line_the_commissary_refuses_is_said_beside_the_cart(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["PlaceOrder"] = refusal(
        InvalidArgument("item_unavailable", "Gone.", field="lines[0].sku")
    )
    refused = checkout(family, "card-1", **{"SNK-1": "1"})
    assert refused.status_code == 400
    assert "One of these items is no longer sold." in text_of(refused.text)
    assert "Pretzels" in refused.text  # the cart stays as it was


# --- The order, the history ---


def order(status: int, **fields: Any) -> pb.Order:
    return pb.Order(
        order_id=ORDER_ID,
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        vendor="Keefe",
        items=[
            pb.OrderItem(
                sku="SNK-1", name="Pretzels", quantity=2, unit_price_cents=250, total_cents=500
            )
        ],
        total_cents=500,
        status=status,  # type: ignore[arg-type]
        placed_at=EVENING_OF_THE_14TH,
        **fields,
    )


def test_an_order_paid_at_once_shows_its_receipt_to_print_or_return_home(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(
        pb.ORDER_STATUS_PAID, receipt_number="KL-ORD1", paid_at=EVENING_OF_THE_14TH
    )
    page = family.get(f"/commissary/orders/{ORDER_ID}?placed=1").text
    words = text_of(page)
    assert "Receipt KL-ORD1" in words and "Thank you. Your order is placed and paid." in words
    assert "data-print" in page and 'href="/"' in page and "Return to the home page" in words
    assert "Pretzels 2 $2.50 $5.00" in words
    assert "Change Order" not in words and "/cancel" not in page  # all sales are final


def test_an_order_ready_to_process_says_it_is_charged_when_the_orders_post(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    page = family.get(f"/commissary/orders/{ORDER_ID}?placed=1").text
    words = text_of(page)
    assert "Receipt" not in words.split("Commissary pack order")[1].split("Status")[0]
    assert "you will be charged when the facility's orders post (on Wednesday)" in words
    assert "emailed a receipt" in words
    assert f'href="/commissary/orders/{ORDER_ID}/change"' in page
    assert f'action="/commissary/orders/{ORDER_ID}/cancel"' in page


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("", "The payment method needs to be selected for this order."),
        ("insufficient_funds", "there is not enough money on it"),
    ],
)
def test_an_incomplete_order_says_why_with_change_order(
    family: TestClient, commissary: StandInIdentity, reason: str, said: str
) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_INCOMPLETE, incomplete_reason=reason)
    page = family.get(f"/commissary/orders/{ORDER_ID}").text
    assert said in text_of(page)
    assert f'href="/commissary/orders/{ORDER_ID}/change"' in page


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({}, "Not shipped yet."),
        (
            {
                "fulfilment": pb.FULFILMENT_SHIPPED,
                "carrier": "UPS",
                "tracking_number": "1Z999",
                "shipped_at": EVENING_OF_THE_14TH,
            },
            "Shipped on Jan 14, 2027",
        ),
        (
            {"fulfilment": pb.FULFILMENT_DELIVERED, "delivered_at": EVENING_OF_THE_14TH},
            "Delivered to the facility on Jan 14, 2027",
        ),
    ],
)
def test_a_paid_order_says_where_its_pack_is(
    family: TestClient, commissary: StandInIdentity, fields: dict[str, Any], said: str
) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_PAID, **fields)
    words = text_of(family.get(f"/commissary/orders/{ORDER_ID}").text)
    assert said in words
    if "carrier" in fields:
        assert "by UPS, tracking number 1Z999" in words


def test_an_overdue_pack_offers_contact_us(family: TestClient, commissary: StandInIdentity) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_PAID, overdue=True)
    page = family.get(f"/commissary/orders/{ORDER_ID}").text
    assert "has not been delivered within a week" in page
    assert '<a href="/contact">Contact Us</a>' in page
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_PAID)
    assert "Contact Us" not in family.get(f"/commissary/orders/{ORDER_ID}").text
    # A pack whose resident left is the facility's to decide: it is not late, and not ours.
    commissary.answers["GetOrder"] = order(
        pb.ORDER_STATUS_PAID, overdue=True, resident_left=pb.RESIDENT_LEFT_RELEASED
    )
    page = family.get(f"/commissary/orders/{ORDER_ID}").text
    assert "has not been delivered within a week" not in page
    assert "The resident was released before the pack arrived." in page


def test_a_pack_whose_resident_left_says_the_facilitys_decision_and_to_call_it(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(
        pb.ORDER_STATUS_PAID, resident_left=pb.RESIDENT_LEFT_TRANSFERRED
    )
    words = text_of(family.get(f"/commissary/orders/{ORDER_ID}").text)
    assert "The resident was transferred before the pack arrived." in words
    assert "We recommend calling the facility as soon as possible" in words
    commissary.answers["GetOrder"] = order(
        pb.ORDER_STATUS_PAID,
        resident_left=pb.RESIDENT_LEFT_RELEASED,
        facility_decision="held_for_pickup",
        facility_decision_note="Pick up at the front desk.",
    )
    words = text_of(family.get(f"/commissary/orders/{ORDER_ID}").text)
    assert "The resident was released before the pack arrived." in words
    assert "The facility holds the pack for pickup. Pick up at the front desk." in words


@pytest.mark.parametrize(
    ("status", "words", "changeable"),
    [
        (pb.ORDER_STATUS_INCOMPLETE, "Incomplete", True),
        (pb.ORDER_STATUS_READY_TO_PROCESS, "Ready to Process", True),
        (pb.ORDER_STATUS_PROCESSING, "Processing", False),
        (pb.ORDER_STATUS_PAID, "Paid", False),
        (pb.ORDER_STATUS_CANCELLED, "Cancelled", False),
    ],
)
def test_the_history_offers_change_order_and_cancel_only_where_allowed(
    family: TestClient, commissary: StandInIdentity, status: int, words: str, changeable: bool
) -> None:
    commissary.answers["ListOrders"] = pb.ListOrdersResponse(orders=[order(status)])
    page = family.get("/commissary/orders").text
    assert re.search(rf"<td data-status>{words}\b", page)
    assert (f'href="/commissary/orders/{ORDER_ID}/change"' in page) is changeable
    assert (f'action="/commissary/orders/{ORDER_ID}/cancel"' in page) is changeable
    assert f'href="/commissary/orders/{ORDER_ID}"' in page


def test_cancelling_asks_the_commissary_and_says_so_or_why_not(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    commissary.answers["CancelOrder"] = order(pb.ORDER_STATUS_CANCELLED)
    token = csrf_of(family.get(f"/commissary/orders/{ORDER_ID}").text)
    path = f"/commissary/orders/{ORDER_ID}/cancel"
    done = family.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert done.headers["location"] == f"/commissary/orders/{ORDER_ID}?notice=cancelled"
    assert asked(commissary, "CancelOrder").order_id == ORDER_ID
    commissary.answers["CancelOrder"] = refusal(
        FailedPrecondition("order_being_processed", "Posting.")
    )
    refused = family.post(path, data={"csrf_token": token})
    assert refused.status_code == 400
    assert "The facility's orders are being charged right now" in text_of(refused.text)


def test_change_order_shows_the_order_and_sends_the_new_lines_and_card(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(
        pb.ORDER_STATUS_INCOMPLETE, payment_method="pm_card_mastercard"
    )
    commissary.answers["ChangeOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    path = f"/commissary/orders/{ORDER_ID}/change"
    page = family.get(path).text
    assert re.search(r'name="quantity.SNK-1"[^>]*value="2"', page)
    assert '<option value="card-2" selected>' in page
    data = {"csrf_token": csrf_of(page), "quantity.SNK-2": "1", "payment_method": "card-1"}
    changed = family.post(path, data=data, follow_redirects=False)
    assert changed.headers["location"] == f"/commissary/orders/{ORDER_ID}?notice=changed"
    change = asked(commissary, "ChangeOrder")
    assert [(line.sku, line.quantity) for line in change.lines] == [("SNK-2", 1)]
    assert change.payment_method == "pm_card_visa"


def test_change_order_refused_for_a_paid_order_says_only_some_orders_change(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    commissary.answers["ChangeOrder"] = refusal(FailedPrecondition("order_not_changeable", "Paid."))
    path = f"/commissary/orders/{ORDER_ID}/change"
    data = {"csrf_token": csrf_of(family.get(path).text), "quantity.SNK-1": "1"}
    refused = family.post(path, data=data)
    assert refused.status_code == 400
    assert "Only orders showing as Ready to Process or Incomplete can be changed" in refused.text


def test_an_order_not_the_familys_is_a_page_of_its_own(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = refusal(NotFound("order_not_found", "No."))
    page = family.get(f"/commissary/orders/{ORDER_ID}")
    assert page.status_code == 400 and "We do not know this order." in page.text


# --- Help ---


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_and_page_the_commissary_help_names_is_one_the_portal_shows(
    language: str,
) -> None:
    """Help says **Change Order** where the page says Change Order (Cambiar pedido in Spanish):
    a name changed on a page and not in its help fails here."""
    catalog = translations("es")
    shown = {
        (message if language == "en" else catalog.gettext(message))
        for _, _, message, _, _ in extract_from_dir(
            PORTAL_SOURCE, *parse_mapping_cfg((PORTAL_SOURCE.parents[1] / "babel.cfg").open()),
            keywords={"_": None, "gettext": None, "N_": None},
        )
        if isinstance(message, str)
    }  # fmt: skip
    named = {
        (each.slug, name)
        for each in load_topics(language)
        if each.section == "commissary"
        for name in re.findall(r"\*\*(.+?)\*\*", each.body)
    }
    assert len(named) > 20
    assert sorted(pair for pair in named if pair[1] not in shown) == []


# Every code the commissary refuses with (its own, its custody check's and the ledger's declines
# it passes on): each must be said as a sentence, never the generic one.
COMMISSARY_REFUSALS = [
    "allowance_id_reused",
    "allowance_not_found",
    "amount_not_positive",
    "catalog_file_invalid",
    "catalog_not_found",
    "catalog_row_invalid",
    "commissary_unavailable",
    "facility_id_missing",
    "facility_not_found",
    "item_not_found",
    "item_unavailable",
    "ledger_unavailable",
    "max_items_invalid",
    "order_being_processed",
    "order_id_reused",
    "order_limit_exceeded",
    "order_limit_invalid",
    "order_line_repeated",
    "order_lines_missing",
    "order_not_changeable",
    "order_not_found",
    "order_not_paid",
    "page_size_invalid",
    "page_token_invalid",
    "payment_method_missing",
    "payment_method_not_found",
    "posting_run_not_found",
    "quantity_invalid",
    "resident_id_missing",
    "resident_not_found",
    "resident_released",
    "run_date_invalid",
    "too_many_items",
    "vendor_missing",
    "authentication_required",
    "card_declined",
    "insufficient_funds",
    "expired_card",
    "prepaid_not_supported",
    "card_brand_not_accepted",
]


@pytest.mark.parametrize("code", COMMISSARY_REFUSALS)
def test_every_commissary_refusal_has_its_sentence(code: str) -> None:
    assert code in SENTENCES


def test_an_order_ready_to_process_is_said_in_spanish_with_the_posting_day(
    family: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["GetOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    page = family.get(f"/commissary/orders/{ORDER_ID}", headers={"accept-language": "es"})
    words = text_of(page.text)
    assert "Listo para procesar" in words
    assert "se le cobrará cuando el centro procese sus pedidos (el miércoles)" in words
    assert "Cambiar pedido" in words and "Cancelar el pedido" in words
