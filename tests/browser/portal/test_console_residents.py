"""An officer's residents in the browser: they book a resident, see them in the facility's list
and a family member then finds them; a transfer to a facility outside their care is refused
beside the destination."""

from __future__ import annotations

from kinlink_kit.testing import eventually
from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor

EAST = "Eastern Regional Detention Center"


async def to_east_residents(visitor: Visitor, officer: tuple[str, str]) -> None:
    await visitor.log_in(*officer)
    await visitor.follow(EAST)
    await visitor.follow("Residents")


async def test_an_officer_books_a_resident_a_family_member_then_finds(
    visitor: Visitor, east_officer: tuple[str, str]
) -> None:
    page = visitor.page
    await to_east_residents(visitor, east_officer)
    await visitor.follow("Book a resident")

    await visitor.fill(**{"Resident ID": "R-2001", "First name": "Alan", "Last name": "Turing"})
    await visitor.press("Book the resident")
    assert await visitor.error_beside("resident_id") == (
        "Error: A resident with this ID number is already held there."
    )
    await visitor.fill(**{"Resident ID": "R-2077", "Last name": "Hamilton"})
    await page.get_by_label("First name", exact=True).fill("")
    await visitor.press("Book the resident")
    assert await visitor.error_beside("first_name") == "Error: Enter the resident's first name."
    await visitor.fill(**{"First name": "Margaret"})
    await visitor.press("Book the resident")
    await expect(page.get_by_role("status")).to_have_text(
        "The resident is booked. Families can find them now."
    )
    held_now = page.get_by_role("region", name="Held now")
    booked = held_now.get_by_role("row").filter(has_text="R-2077")
    await expect(booked).to_contain_text("Margaret Hamilton")
    await expect(booked.get_by_role("link", name="Release Margaret Hamilton")).to_be_visible()

    await visitor.press("Log out")
    await visitor.become_family_member("maya.family@example.com", "a long family password")
    await visitor.follow("Find a resident")
    await page.get_by_label("Last name").fill("Hamil")

    async def found() -> bool:  # the directory identity searches follows its event log
        await visitor.press("Search")
        return await page.get_by_role("status").text_content() == "1 resident found."

    await eventually(found, timeout=30)
    await expect(page.get_by_role("row").nth(1)).to_contain_text("Margaret Hamilton")
    await expect(page.get_by_role("row").nth(1)).to_contain_text("R-2077")
    await expect(page.get_by_role("row").nth(1)).to_contain_text(EAST)


async def test_a_transfer_outside_the_officers_care_is_refused_beside_it(
    visitor: Visitor, east_officer: tuple[str, str]
) -> None:
    page = visitor.page
    await to_east_residents(visitor, east_officer)
    await page.get_by_label("Last name").fill("Turing")
    await visitor.press("Search")
    await expect(page.get_by_role("status")).to_have_text("1 resident found.")
    # Found by the search, as listed below it: the link of the one found.
    results = page.get_by_role("region", name="Results")
    async with page.expect_navigation():
        await results.get_by_role("link", name="Transfer Alan Turing").click()
    await visitor.check_accessibility()

    await page.get_by_label("New facility", exact=True).select_option(label="Demo County Jail")
    await visitor.press("Transfer the resident")
    assert await visitor.error_beside("to_facility_id") == (
        "Error: This facility is not one of yours: an officer there, or an operator, makes "
        "this transfer."
    )
    await expect(page.get_by_label("New facility", exact=True)).to_have_value("FAC-DEMO")
