"""Staff accounts in the browser: an operator creates an officer's account (a missing facility
refused beside the facilities), the officer logs in to their facility, then the operator
finds the account in the list of staff accounts, closes it there, and the officer can no longer
log in."""

from __future__ import annotations

import pytest
from kinlink_embedded import demo
from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor

OFFICER = ("wes.officer@example.com", "a long officer password")


@pytest.mark.usefixtures("demo_facilities")
async def test_an_operator_creates_then_closes_an_officers_account(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.log_in(demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
    await visitor.follow("Staff accounts")
    await visitor.fill(
        **{"Email address": OFFICER[0], "Password": OFFICER[1], "First name": "Wes",
           "Last name": "Officer"}
    )  # fmt: skip
    await page.get_by_label("Facility officer", exact=False).check()
    await visitor.press("Create the account")
    assert await visitor.error_beside("facility_ids") == (
        "Error: Tick the facilities an officer or integration acts for."
    )
    await page.get_by_label("Password", exact=True).fill(OFFICER[1])
    await page.get_by_label("Eastern Regional Detention Center").check()
    await visitor.press("Create the account")
    created = page.get_by_role("status")
    await expect(created).to_contain_text(f"The account of {OFFICER[0]} is created.")

    await visitor.press("Log out")
    await visitor.log_in(*OFFICER)
    await expect(
        page.get_by_role("link", name="Eastern Regional Detention Center", exact=True)
    ).to_be_visible()
    await expect(page.get_by_role("link", name="Staff accounts")).to_have_count(0)

    await visitor.press("Log out")
    await visitor.log_in(demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
    await visitor.open("/console/staff/close")
    officer_row = page.get_by_role("row").filter(has_text=OFFICER[0])
    await expect(officer_row).to_contain_text("Wes Officer")
    await visitor.press("Close the account of Wes Officer")
    await expect(page.get_by_role("status")).to_have_text(
        "The staff account is closed: its sessions end."
    )
    await visitor.open("/console/staff/close")
    await expect(officer_row).to_contain_text("Closed")
    await visitor.press("Log out")
    await visitor.log_in(*OFFICER)
    await expect(page.locator("main")).to_contain_text("This account is closed.")
