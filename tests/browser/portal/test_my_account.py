"""My Account beyond the details: a new email address confirmed from the emailed link, emails
unsubscribed and subscribed again, the account closed and reactivated from the emailed link."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.portal.conftest import Portal
from tests.browser.portal.conftest import Visitor

EMAIL = "iris.family@example.com"
NEW_EMAIL = "iris.new@example.com"
PASSWORD = "a long family password"


async def test_a_family_member_changes_email_unsubscribes_closes_and_reactivates(
    visitor: Visitor, portal: Portal
) -> None:
    page = visitor.page
    await visitor.become_family_member(EMAIL, PASSWORD)

    await visitor.follow("Change my email address")
    await visitor.fill(**{"New email address": NEW_EMAIL, "Your password": "not my password"})
    await visitor.press("Send me the link")
    assert await visitor.error_beside("password") == "Error: This is not your current password."
    await visitor.fill(**{"New email address": NEW_EMAIL, "Your password": PASSWORD})
    await visitor.press("Send me the link")
    await visitor.open(portal.emailed_link(NEW_EMAIL, "confirm-email"))
    await visitor.press("Make it my email address")
    await expect(page.get_by_role("status")).to_have_text("Your email address is changed.")
    await expect(page.locator(".details")).to_contain_text(NEW_EMAIL)

    await visitor.press("Unsubscribe from emails")
    await expect(page.get_by_role("status")).to_have_text(
        "You will not get Kinlink's emails any more."
    )
    await expect(page.locator(".warning")).to_contain_text("cannot reset your password")
    await visitor.press("Subscribe to emails again")
    await expect(page.locator(".warning")).to_have_count(0)

    await visitor.follow("Close my account")
    await visitor.fill(**{"Your password": PASSWORD})
    await visitor.press("Close my account")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account is closed")
    await visitor.log_in(NEW_EMAIL, PASSWORD)
    await expect(page.get_by_role("alert")).to_contain_text("This account is closed.")

    await visitor.open("/request-reactivation")
    await visitor.fill(**{"Email address": NEW_EMAIL})
    await visitor.press("Send me the link")
    await visitor.open(portal.emailed_link(NEW_EMAIL, "reactivate"))
    await visitor.press("Reactivate my account")
    await expect(page.get_by_role("status")).to_have_text(
        "Your account is open again. You can log in now."
    )
    await visitor.log_in(NEW_EMAIL, PASSWORD)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My account")
