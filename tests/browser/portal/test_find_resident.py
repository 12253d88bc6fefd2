"""A family member finds the resident they want to send to: by last name or resident id, at one
facility or all; too few letters are refused beside the last name."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor


@pytest.mark.usefixtures("demo_facilities")
async def test_a_family_member_finds_a_resident_by_name_or_id(visitor: Visitor) -> None:
    await visitor.become_family_member("lena.family@example.com", "a long family password")
    page = visitor.page
    await visitor.follow("Find a resident")

    await page.get_by_label("Last name").fill("Lov")
    await visitor.press("Search")
    assert await visitor.error_beside("last_name") == (
        "Error: Enter at least 4 letters of the resident's last name, or the resident's ID number."
    )

    await page.get_by_label("Last name").fill("Love")
    await visitor.press("Search")
    await expect(page.get_by_role("status")).to_have_text("1 resident found.")
    await expect(page.get_by_role("row")).to_have_count(2)
    await expect(page.get_by_role("row").nth(1)).to_contain_text("Ada Lovelace")
    await expect(page.get_by_role("row").nth(1)).to_contain_text("R-1001")

    await page.get_by_label("Last name").fill("")
    await page.get_by_label("Resident ID").fill("R-1002")
    await page.get_by_label("Facility").select_option(label="Demo County Jail")
    await visitor.press("Search")
    await expect(page.get_by_role("row").nth(1)).to_contain_text("Grace Hopper")
