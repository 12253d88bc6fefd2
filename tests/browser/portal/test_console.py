"""The console: an operator sees every facility and changes one's settings (a bad amount is
refused beside it); an officer sees only the facilities in their care; a family member is
turned away."""

from __future__ import annotations

import pytest
from kinlink_contracts.demo import FAC_DEMO
from kinlink_embedded import demo
from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor

pytestmark = pytest.mark.usefixtures("demo_facilities")


async def test_an_operator_changes_a_facilitys_weekly_limit(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.log_in(demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Console")
    await expect(
        page.get_by_role("link", name="Eastern Regional Detention Center", exact=True)
    ).to_be_visible()
    await visitor.follow("Demo County Jail")
    await expect(page.locator(".details")).to_contain_text("$300.00")

    await visitor.follow("Change the settings")
    limit = page.get_by_label("Weekly deposit limit per resident, in dollars")
    await limit.fill("two hundred")
    await visitor.press("Save the settings")
    limit_field = "settings.weekly_deposit_limit_cents"
    assert await visitor.error_beside(limit_field) == (
        "Error: Enter an amount in dollars, like 300.00."
    )
    await limit.fill("-5")
    await visitor.press("Save the settings")
    assert await visitor.error_beside(limit_field) == (
        "Error: This setting is not valid. Check it and try again."
    )
    await limit.fill("250")
    await visitor.press("Save the settings")
    await expect(page.get_by_role("status")).to_have_text("The facility's settings are saved.")
    await expect(page.locator(".details")).to_contain_text("$250.00")


async def test_an_officer_sees_only_the_facilities_in_their_care(
    visitor: Visitor, east_officer: tuple[str, str]
) -> None:
    await visitor.log_in(*east_officer)
    page = visitor.page
    await expect(
        page.get_by_role("link", name="Eastern Regional Detention Center", exact=True)
    ).to_be_visible()
    await expect(page.get_by_role("link", name="Demo County Jail", exact=True)).to_have_count(0)
    await visitor.follow("Eastern Regional Detention Center")
    await expect(page.get_by_role("link", name="Change the settings")).to_have_count(0)
    await visitor.open(f"/console/facilities/{FAC_DEMO}")
    await expect(page.locator("main")).to_contain_text("This facility is not one of yours.")


async def test_a_family_member_is_turned_away_from_the_console(visitor: Visitor) -> None:
    await visitor.become_family_member("fern.family@example.com", "a long family password")
    await expect(visitor.page.get_by_role("link", name="Console")).to_have_count(0)
    await visitor.open("/console")
    await expect(visitor.page.locator("main")).to_contain_text("Your account cannot do this.")
