"""A family member's cards and deposits in the browser, on the real identity and ledger over the
real Kafka and PostgreSQL: a new family member adds a card, finds a resident, sees the fee,
deposits and prints the receipt; a declined card, a weekly limit reached and a prepaid card are
each explained; the deposit pages fit a phone's width."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Platform
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing

PASSWORD = "a long family password"
VISA = "Visa ending 4242 (test card)"
DECLINED_VISA = "Visa ending 0002 (test card: declined when charged)"
PREPAID = "Mastercard ending 5100 (test card: prepaid)"


@pytest.fixture
def visitor(family: Visitor) -> Visitor:
    """These journeys need the ledger: the family member visits the portal in front of both."""
    return family


async def add_card(visitor: Visitor, card: str) -> None:
    """From any page: My cards, Add a card, the test card, the account's address as billing."""
    await visitor.follow("My cards")
    await visitor.follow("Add a card")
    await visitor.page.get_by_label(card, exact=True).check()
    await visitor.press("Add this card")


async def send(visitor: Visitor, last_name: str, name: str, amount: str) -> None:
    """Find the resident, follow Send money, ask for the fee of `amount`."""
    await visitor.follow("Find a resident")
    await visitor.page.get_by_label("Last name").fill(last_name)
    await visitor.press("Search")
    await visitor.follow(f"Send money to {name}")
    await visitor.fill(**{"Amount in dollars": amount})
    await visitor.press("See the fee")


async def test_a_new_family_member_deposits_and_prints_the_receipt(
    visitor: Visitor, platform: Platform
) -> None:
    email = "rosa.deposit@example.com"
    await visitor.become_family_member(email, PASSWORD)
    page = visitor.page
    await add_card(visitor, VISA)
    await expect(page.get_by_role("status")).to_have_text("Your card is added.")
    await expect(page.get_by_role("heading", name="Visa ending 4242")).to_be_visible()

    await send(visitor, "Lovelace", "Ada Lovelace", "50")
    details = page.locator("dl.details")
    await expect(details).to_contain_text("$5.95")  # FAC-DEMO's fee up to $100
    await expect(details).to_contain_text("$55.95")
    await expect(details).to_contain_text("Ada Lovelace can still receive $250.00 this week.")
    await expect(details).to_contain_text("Central time (Chicago)")
    await expect(page.get_by_label(VISA.removesuffix(" (test card)"))).to_be_checked()

    await platform.until_ledger_knows_card(email, PASSWORD, "pm_card_visa")
    # A double click (Chromium sends the form once or twice), then Back and Confirm again (a
    # second post for sure): one deposit, one charge, the same receipt.
    await page.get_by_role("button", name="Confirm and pay $55.95").dblclick()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Receipt ")
    await page.wait_for_load_state()
    await visitor.check_accessibility()
    receipt_page = page.url
    await page.go_back()
    await visitor.press("Confirm and pay $55.95")
    assert page.url == receipt_page
    assert platform.charged() == 5595
    receipt = page.locator("dl.receipt")
    for shown in ("Ada Lovelace (R-1001)", "Demo County Jail", "$50.00", "$5.95", "$55.95"):
        await expect(receipt).to_contain_text(shown)
    await expect(page.get_by_role("button", name="Print this receipt")).to_be_visible()

    await page.emulate_media(media="print")
    await expect(page.get_by_role("navigation")).to_be_hidden()
    await expect(page.get_by_role("button", name="Print this receipt")).to_be_hidden()
    await expect(page.get_by_role("link", name="Send more money")).to_be_hidden()
    await expect(receipt).to_be_visible()
    colours = await page.evaluate(
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    assert (await page.pdf()).startswith(b"%PDF")


async def test_a_declined_card_is_explained_and_not_charged(
    visitor: Visitor, platform: Platform
) -> None:
    email = "rosa.declined@example.com"
    await visitor.become_family_member(email, PASSWORD)
    await add_card(visitor, DECLINED_VISA)
    await send(visitor, "Hopper", "Grace Hopper", "20")
    await platform.until_ledger_knows_card(email, PASSWORD, "pm_card_chargeDeclined")
    await visitor.press("Confirm and pay $22.95")
    page = visitor.page
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your deposit was declined")
    await expect(page.get_by_role("alert")).to_have_text(
        "Your bank declined the card. Use another card, or call your bank."
    )
    await expect(page.get_by_text("Your card was not charged.")).to_be_visible()
    assert platform.charged() == 0


async def test_a_weekly_limit_reached_says_what_remains_on_a_phone(
    browser: Browser, platform: Platform, axe_source: str, request: pytest.FixtureRequest
) -> None:
    async with browsing(browser, platform, axe_source, request, **PHONE) as visitor:
        email = "rosa.limit@example.com"
        await visitor.become_family_member(email, PASSWORD)
        await add_card(visitor, VISA)
        await send(visitor, "Johnson", "Katherine Johnson", "300")
        await visitor.fits_the_screen()
        await platform.until_ledger_knows_card(email, PASSWORD, "pm_card_visa")
        await visitor.press("Confirm and pay $309.95")
        await visitor.fits_the_screen()
        receipt_number = visitor.page.get_by_role("heading", level=1).locator(".nowrap")
        assert await receipt_number.evaluate("number => number.getClientRects().length") == 1
        assert platform.charged() == 30995

        await send(visitor, "Johnson", "Katherine Johnson", "20")
        await visitor.fits_the_screen()
        assert await visitor.error_beside("amount_cents") == (
            "Error: This is more than the resident can receive this week. "
            "Katherine Johnson can still receive $0.00 this week."
        )


async def test_a_prepaid_card_is_refused_beside_the_card(visitor: Visitor) -> None:
    await visitor.become_family_member("rosa.prepaid@example.com", PASSWORD)
    await add_card(visitor, PREPAID)
    assert await visitor.error_beside("payment_method") == (
        "Error: Prepaid cards are not accepted. Use a credit or debit card."
    )
    await expect(visitor.page.get_by_label(PREPAID)).to_be_checked()
