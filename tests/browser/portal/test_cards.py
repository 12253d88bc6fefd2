"""A family member's cards in the browser, on the real identity: a brand the facility does not
accept is refused beside the card; the card funding the messaging subscription can be neither
removed nor left without another chosen first; a card's expiry is edited, refused when wrong."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor

VISA, MASTERCARD = "Visa ending 4242", "Mastercard ending 4444"


async def add_card(visitor: Visitor, card: str, facility: str = "", funds: bool = False) -> None:
    await visitor.follow("Add a card")
    await visitor.page.get_by_label(card, exact=True).check()
    if facility:
        await visitor.page.get_by_label("Facility where you will use it").select_option(
            label=facility
        )
    if funds:
        await visitor.page.get_by_label("Use this card for my messaging subscription").check()
    await visitor.press("Add this card")


@pytest.mark.usefixtures("demo_facilities")
async def test_a_family_member_adds_edits_and_removes_cards_by_the_rules(
    visitor: Visitor,
) -> None:
    await visitor.become_family_member("rosa.cards@example.com", "a long family password")
    page = visitor.page
    await visitor.follow("My cards")
    await expect(page.get_by_text("You have no cards yet.")).to_be_visible()

    await add_card(visitor, "American Express ending 0005 (test card)", "Demo County Jail")
    assert await visitor.error_beside("payment_method") == (
        "Error: This facility does not accept cards of this brand. Use another card."
    )
    await visitor.follow("Cancel")
    await add_card(visitor, f"{VISA} (test card)", "Demo County Jail", funds=True)
    await add_card(visitor, f"{MASTERCARD} (test card)")
    visa = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=VISA))
    await expect(visa).to_contain_text("Funds your messaging subscription.")

    await visitor.follow(f"Remove {VISA}")
    await visitor.press("Remove this card")
    await expect(page.get_by_role("alert")).to_contain_text(
        "This card funds your messaging subscription. Choose another card for the "
        "subscription, or cancel the subscription, then try again."
    )
    await visitor.follow("Keep it")
    await visitor.press(f"Use for my messaging subscription: {MASTERCARD}")
    await expect(page.get_by_role("status")).to_have_text(
        "This card now funds your messaging subscription."
    )
    await expect(visa).not_to_contain_text("Funds your messaging subscription.")

    await visitor.follow(f"Edit {VISA}")
    await visitor.fill(**{"Expiry month": "13"})
    await visitor.press("Save this card")
    assert await visitor.error_beside("exp_month") == (
        "Error: Enter the expiry month as a number from 1 to 12."
    )
    await visitor.fill(**{"Expiry month": "11"})
    await visitor.press("Save this card")
    await expect(page.get_by_role("status")).to_have_text("Your card is saved.")
    await expect(visa).to_contain_text("Expires 11/")

    await visitor.follow(f"Remove {VISA}")
    await visitor.press("Remove this card")
    await expect(page.get_by_role("status")).to_have_text("Your card is removed.")
    await expect(page.get_by_role("heading", level=2)).to_have_text([MASTERCARD])
