"""The Commissary pages in the browser, on the real identity, ledger and commissary over the real
Kafka and PostgreSQL: a family member gives an allowance and ends it (nothing used, nothing
charged); orders a pack where orders post weekly (choose the card later, Change Order, Ready to
Process, a second order cancelled, the posting run charging the first once); orders at a
facility that charges at once and gets the receipt; a cart past the facility's limit is
explained; the pages fit a phone's width. After payment: a pack shipped and delivered as the
facility's integration tells it, one not delivered a week on with "Contact Us", and one whose
resident an officer released before it arrived, with the decision the officer records."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit
from uuid import UUID

import grpc
import pytest
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_commissary.domain.order import Order
from kinlink_commissary.service_layer.flag_overdue_orders import flag_overdue_orders
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import CommissaryPackDelivered
from kinlink_contracts.facility import CommissaryPackShipped
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import CommissaryPlatform
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing
from tests.browser.portal.conftest import create_officer
from tests.streams.kafka_helpers import produce
from tests.topic_feed import wrapped

PASSWORD = "a long family password"
VISA = "Visa ending 4242"


@pytest.fixture
def visitor(commissary_family: Visitor) -> Visitor:
    return commissary_family


async def family_with_a_card(visitor: Visitor, platform: CommissaryPlatform, email: str) -> None:
    """A new family member with a Visa the ledger knows."""
    await visitor.become_family_member(email, PASSWORD)
    await visitor.follow("My cards")
    await visitor.follow("Add a card")
    await visitor.page.get_by_label(f"{VISA} (test card)", exact=True).check()
    await visitor.press("Add this card")
    await platform.until_ledger_knows_card(email, PASSWORD, "pm_card_visa")


async def shop(visitor: Visitor, facility: str, **quantities: str) -> None:
    """From any page: Commissary, Order a commissary pack, Ada at `facility`, the quantities
    (by each item's label), on to the cart."""
    await visitor.follow("Commissary")
    await visitor.follow("Order a commissary pack")
    await visitor.page.get_by_label("Facility").select_option(label=facility)
    await visitor.fill(**{"Resident ID": "R-1001"})
    await visitor.press("See the catalog")
    await expect(visitor.page.get_by_role("heading", level=1)).to_have_text(
        "Commissary pack for Ada Lovelace"
    )
    await visitor.fill(**quantities)
    await visitor.press("See my cart")


async def run_posting(platform: CommissaryPlatform) -> pb.PostingRun:
    async with grpc.aio.insecure_channel(platform.commissary_address) as channel:
        commissary = commissary_pb2_grpc.CommissaryServiceStub(channel)
        posting = pb.RunPostingRequest(facility_id=platform.facility_id)
        run: pb.PostingRun = await commissary.RunPosting(
            posting, metadata=await platform.as_operator()
        )
        return run


async def test_an_allowance_is_held_told_to_no_one_and_ended_charging_nothing_unused(
    visitor: Visitor, commissary_platform: CommissaryPlatform
) -> None:
    page = visitor.page
    await family_with_a_card(visitor, commissary_platform, "rosa.allowance@example.com")
    await visitor.follow("Commissary")
    await visitor.follow("Give an allowance")
    await expect(page.locator("[data-not-notified]")).to_contain_text(
        "The resident is not notified of the allowance."
    )
    await visitor.press("Hold the amount on my card")
    assert await visitor.error_beside("resident_id") == "Error: Enter the resident's ID number."
    await page.get_by_label("Facility").select_option(label="Demo County Jail")
    await visitor.fill(**{"Resident ID": "R-1001", "Amount in dollars": "25.00"})
    await page.get_by_label("Card").select_option(label=VISA)
    await visitor.press("Hold the amount on my card")
    await expect(page.locator("[data-status]")).to_have_text("Active: held on your card")
    await expect(page.locator("dl.details")).to_contain_text("Ada Lovelace (R-1001)")
    assert commissary_platform.processor.held_total == 2500
    assert commissary_platform.charged() == 0

    await visitor.press("End this allowance")
    await expect(page.locator("[data-status]")).to_contain_text("Ended")
    allowance_page = page.url

    async def settled() -> bool:
        await page.goto(allowance_page)
        said = await page.locator("[data-status]").text_content() or ""
        return "what was used is charged" in said

    await eventually(settled, timeout=60)  # the ledger's settlement comes back through Kafka
    await visitor.check_accessibility()
    await expect(page.locator("[data-captured]")).to_have_text("$0.00")
    await expect(page.locator("dl.details")).to_contain_text("$25.00")
    # Nothing was used: the hold is released whole and nothing is charged.
    assert commissary_platform.processor.held_total == 0
    assert commissary_platform.charged() == 0
    await expect(page.get_by_role("button", name="End this allowance")).to_have_count(0)

    await visitor.follow("All my allowances")
    row = page.locator("tr[data-allowance]")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Ended: what was used is charged, the rest released")


async def test_a_pack_where_orders_post_weekly_waits_ready_to_process_until_the_posting(
    visitor: Visitor, commissary_platform: CommissaryPlatform
) -> None:
    page = visitor.page
    await family_with_a_card(visitor, commissary_platform, "rosa.pack@example.com")

    await shop(visitor, "Demo County Jail", **{"Pretzels, $2.50": "2"})
    cart = page.locator("[data-cart]")
    await expect(cart).to_contain_text("Pretzels")
    await expect(page.locator("[data-total]")).to_have_text("$5.00")
    await expect(page.locator("[data-when-charged]")).to_contain_text("on Monday")
    await expect(page.locator("[data-final]")).to_contain_text("All sales are final.")
    await page.get_by_label("Card").select_option(label="Choose later")
    await visitor.press("Place the order")
    await expect(page.locator("[data-status]")).to_have_text("Incomplete")
    await expect(page.locator("[data-incomplete]")).to_contain_text(
        "The payment method needs to be selected for this order."
    )

    await page.locator("[data-incomplete]").get_by_role("link", name="Change Order").click()
    await page.wait_for_load_state()
    await visitor.check_accessibility()
    await page.get_by_label("Card").select_option(label=VISA)
    await visitor.press("Submit the order")
    await expect(page.get_by_role("status")).to_have_text("Your order is changed.")
    await expect(page.locator("[data-status]")).to_have_text("Ready to Process")
    await expect(page.locator("[data-ready]")).to_contain_text(
        "you will be charged when the facility's orders post (on Monday)"
    )
    assert commissary_platform.charged() == 0

    # A second order, cancelled while it waits: never charged.
    await shop(visitor, "Demo County Jail", **{"Soap, $1.75": "1"})
    await page.get_by_label("Card").select_option(label=VISA)
    await visitor.press("Place the order")
    await expect(page.locator("[data-status]")).to_have_text("Ready to Process")
    await visitor.press("Cancel order")
    await expect(page.get_by_role("status")).to_have_text(
        "Your order is cancelled. Nothing was charged."
    )
    await expect(page.locator("[data-status]")).to_contain_text("Cancelled")

    run = await run_posting(commissary_platform)
    assert (run.paid, run.incomplete) == (1, 0)
    assert commissary_platform.charged() == 500

    await visitor.follow("Commissary Pack History")
    rows = page.locator("tr[data-order]")
    await expect(rows).to_have_count(2)
    paid, cancelled = rows.filter(has_text="$5.00"), rows.filter(has_text="$1.75")
    await expect(paid.locator("[data-status]")).to_have_text("Paid")
    await expect(cancelled.locator("[data-status]")).to_have_text("Cancelled")
    for done in (paid, cancelled):  # neither may be changed or cancelled any more
        await expect(done.get_by_role("link", name="Change Order")).to_have_count(0)
        await expect(done.get_by_role("button", name="Cancel")).to_have_count(0)


async def test_a_pack_where_orders_are_charged_at_once_shows_its_receipt(
    visitor: Visitor, commissary_platform: CommissaryPlatform
) -> None:
    page = visitor.page
    await family_with_a_card(visitor, commissary_platform, "rosa.paynow@example.com")
    await shop(visitor, "Pay Now County Jail", **{"Pretzels, $2.50": "1", "Soap, $1.75": "2"})
    await expect(page.locator("[data-total]")).to_have_text("$6.00")
    await expect(page.locator("[data-when-charged]")).to_contain_text("your card is charged now")
    await page.get_by_label("Card").select_option(label=VISA)
    await visitor.press("Place the order")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Receipt ")
    await expect(page.locator("[data-status]")).to_have_text("Paid")
    await expect(page.get_by_role("button", name="Print this receipt")).to_be_visible()
    await expect(page.get_by_role("link", name="Return to the home page")).to_be_visible()
    await expect(page.locator("[data-tracking]")).to_contain_text("Not shipped yet.")
    assert commissary_platform.charged() == 600
    await expect(page.get_by_role("link", name="Change Order")).to_have_count(0)


async def test_a_cart_past_the_facilitys_limit_says_so_beside_the_items_on_a_phone(
    browser: Browser,
    commissary_platform: CommissaryPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    async with browsing(browser, commissary_platform, axe_source, request, **PHONE) as visitor:
        page = visitor.page
        await family_with_a_card(visitor, commissary_platform, "rosa.limit@example.com")
        await shop(visitor, "Demo County Jail", **{"Cookies, $15.00": "4"})
        await expect(page.locator("#lines")).to_contain_text(
            "This order comes to more than the facility takes in one order."
        )
        await expect(page.locator("[data-total]")).to_have_text("$60.00")
        await visitor.fits_the_screen()
        await visitor.follow("Change the items")
        await visitor.fits_the_screen()
        await visitor.fill(**{"Cookies, $15.00": "3"})
        await visitor.press("See my cart")
        await expect(page.locator("#lines")).to_have_count(0)
        await expect(page.locator("[data-total]")).to_have_text("$45.00")
        await visitor.fits_the_screen()


async def paid_pack(visitor: Visitor) -> str:
    """A pack of pretzels for Ada at the facility that charges at once: its order id, once paid."""
    await shop(visitor, "Pay Now County Jail", **{"Pretzels, $2.50": "1"})
    await visitor.page.get_by_label("Card").select_option(label=VISA)
    await visitor.press("Place the order")
    await expect(visitor.page.locator("[data-status]")).to_have_text("Paid")
    return urlsplit(visitor.page.url).path.rsplit("/", 1)[-1]


async def from_the_facility(infra: Infra, event: IntegrationEvent) -> None:
    """The facility's integration tells the commissary, on the facility topic, about Ada's pack."""
    envelope = wrapped(event, "R-1001", "facility-integration")
    await produce(infra.kafka_bootstrap, FACILITY_EVENTS, [(b"R-1001", envelope.to_bytes())])


def paid_at(platform: CommissaryPlatform, order_id: str) -> datetime:
    """When the commissary recorded the order paid."""
    order = platform.commissary.find(UUID(order_id), Order, to_change=False)
    assert order is not None and order.paid_at is not None
    return order.paid_at


async def until_the_order_says(visitor: Visitor, order_id: str, part: str, text: str) -> None:
    """Open the order's page again until its `part` (a CSS selector) says `text`: the news
    reaches the commissary through Kafka."""
    page = visitor.page

    async def said() -> bool:
        await page.goto(f"{visitor.portal.url}/commissary/orders/{order_id}")
        shown = page.locator(part)
        return await shown.count() == 1 and text in (await shown.text_content() or "")

    await eventually(said, timeout=60)
    await visitor.check_accessibility(shown=part)


async def test_a_pack_is_tracked_to_delivery_and_one_not_delivered_in_a_week_says_contact_us(
    visitor: Visitor, commissary_platform: CommissaryPlatform, infra: Infra
) -> None:
    page = visitor.page
    await family_with_a_card(visitor, commissary_platform, "rosa.tracking@example.com")
    delivered = await paid_pack(visitor)
    await expect(page.locator("[data-tracking]")).to_contain_text("Not shipped yet.")

    shipped = CommissaryPackShipped(
        order_id=UUID(delivered), carrier="UPS", tracking_number="1Z999AA10123456784"
    )
    await from_the_facility(infra, shipped)
    await until_the_order_says(visitor, delivered, "[data-tracking]", "Shipped on")
    await expect(page.locator("[data-tracking]")).to_contain_text(
        "by UPS, tracking number 1Z999AA10123456784."
    )
    arrived = paid_at(commissary_platform, delivered) + timedelta(days=3)
    await from_the_facility(
        infra, CommissaryPackDelivered(order_id=UUID(delivered), delivered_at=arrived)
    )
    await until_the_order_says(visitor, delivered, "[data-tracking]", "Delivered to the facility")

    late = await paid_pack(visitor)
    await expect(page.locator("[data-overdue]")).to_have_count(0)
    # A week and a minute after it was paid, on the commissary's clock, its sweep flags the
    # pack still not delivered, and only that one.
    commissary = commissary_platform.commissary
    commissary.clock = Clock(paid_at(commissary_platform, late) + timedelta(days=7, minutes=1))
    assert flag_overdue_orders(commissary) == 1

    await until_the_order_says(visitor, late, "[data-overdue]", "not been delivered within a week")
    await expect(page.locator("[data-tracking]")).to_contain_text("Not shipped yet.")
    await visitor.follow("Commissary Pack History")
    rows = page.locator("tr[data-order]")
    await expect(rows).to_have_count(2)
    late_row = rows.filter(has_text="Not delivered within a week")  # the delivered one is not
    await expect(late_row).to_have_attribute("data-order", late)
    async with page.expect_navigation():
        await late_row.get_by_role("link", name="Open").click()
    await visitor.check_accessibility()
    await visitor.follow("Contact Us")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Contact support")


PAY_NOW_OFFICER = ("paynow.officer@example.com", "an officer's long password")


async def test_a_released_residents_pack_shows_the_decision_the_facilitys_officer_records(
    visitor: Visitor, commissary_platform: CommissaryPlatform
) -> None:
    page = visitor.page
    facility = "Pay Now County Jail"
    await create_officer(
        commissary_platform.grpc_address, PAY_NOW_OFFICER, commissary_platform.pay_now_facility_id
    )
    await family_with_a_card(visitor, commissary_platform, "rosa.released@example.com")
    order_id = await paid_pack(visitor)
    await visitor.press("Log out")

    # The officer releases Ada in the console, before her pack arrives.
    await visitor.log_in(*PAY_NOW_OFFICER)
    await visitor.follow(facility)
    await visitor.follow("Residents")
    await visitor.follow("Release Ada Lovelace")
    await visitor.press("Release the resident")
    await expect(page.get_by_role("status")).to_have_text("The resident is released.")
    await visitor.press("Log out")

    await visitor.log_in("rosa.released@example.com", PASSWORD)
    await until_the_order_says(
        visitor, order_id, "[data-resident-left]", "The resident was released before the pack"
    )
    await expect(page.locator("[data-resident-left]")).to_contain_text(
        "We recommend calling the facility as soon as possible"
    )
    await expect(page.locator("[data-decision]")).to_have_count(0)
    await visitor.press("Log out")

    await visitor.log_in(*PAY_NOW_OFFICER)
    await visitor.follow(f"Commissary packs to look at {facility}")
    pack = page.locator(f'article[data-order="{order_id}"]')
    await expect(pack).to_contain_text("The resident was released on")
    await pack.get_by_label("What the facility did with the pack").select_option("held_for_pickup")
    await pack.get_by_label("Note for the family (optional)").fill("Pick it up by Friday.")
    await visitor.check_accessibility(shown=f'article[data-order="{order_id}"] form')
    await visitor.press("Record the decision for the pack of R-1001")
    await expect(page.get_by_role("status")).to_have_text(
        "The facility's decision is recorded: the family sees it with the order."
    )
    await visitor.press("Log out")

    await visitor.log_in("rosa.released@example.com", PASSWORD)
    await until_the_order_says(visitor, order_id, "[data-decision]", "The facility holds")
    await expect(page.locator("[data-decision]")).to_have_text(
        "The facility holds the pack for pickup. Pick it up by Friday."
    )
    await expect(page.locator("[data-status]")).to_have_text("Paid")
    assert commissary_platform.charged() == 250  # all sales are final: nothing given back
