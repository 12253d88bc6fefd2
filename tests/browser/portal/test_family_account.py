"""A family member's account in the browser, on the real identity service: sign up (refused
first for a weak password), activate from the emailed link, log in, edit details, log out,
reset a forgotten password; an email already used; the pages in Spanish; the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Portal
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing

EMAIL = "rosa.family@example.com"
PASSWORD = "a long family password"
NEW_PASSWORD = "another long password"


async def test_a_new_family_member_signs_up_activates_logs_in_edits_and_resets(
    visitor: Visitor, portal: Portal
) -> None:
    page = visitor.page
    await visitor.sign_up(EMAIL, "too short")
    assert await visitor.error_beside("password") == (
        "Error: Choose a password of at least 10 characters."
    )
    await expect(page.get_by_label("Email address")).to_have_value(EMAIL)  # kept for the retry
    # The list of problems has the focus; its link leads to the field.
    await expect(page.get_by_role("alert")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Password", exact=True)).to_be_focused()

    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await visitor.press("Create my account")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    await visitor.open(portal.emailed_link(EMAIL, "activate"))
    await visitor.press("Activate my account")
    await expect(page.get_by_role("status")).to_have_text(
        "Your account is active. You can log in now."
    )

    await visitor.log_in(EMAIL, "not the password")
    await expect(page.get_by_role("alert")).to_contain_text("is not right")
    await visitor.log_in(EMAIL, PASSWORD)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    await expect(page.locator(".details")).to_contain_text("12 Elm Street, Springfield, IL")

    await visitor.follow("Edit my details")
    await page.get_by_label("Phone number").fill("555")
    await visitor.press("Save my details")
    assert await visitor.error_beside("phone") == (
        "Error: Enter a phone number with its country code, like +13125550100."
    )
    await page.get_by_label("Phone number").fill("+13125550199")
    await page.get_by_label("Time zone").select_option("America/New_York")
    await visitor.press("Save my details")
    await expect(page.get_by_role("status")).to_have_text("Your details are saved.")
    await expect(page.locator(".details")).to_contain_text("+13125550199")
    await expect(page.locator(".details")).to_contain_text("Eastern time (New York)")

    await visitor.press("Log out")
    await expect(page.get_by_role("status")).to_have_text("You have logged out.")
    await visitor.open("/account")
    assert page.url.startswith(f"{portal.url}/log-in?next=")

    await visitor.open("/forgot-password")
    await visitor.fill(**{"Email address": EMAIL})
    await visitor.press("Send me the link")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    await visitor.open(portal.emailed_link(EMAIL, "reset-password"))
    await page.get_by_label("New password").fill("short")
    await visitor.press("Change my password")
    assert await visitor.error_beside("new_password") == (
        "Error: Choose a password of at least 10 characters."
    )
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    await visitor.press("Change my password")
    await expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    await visitor.log_in(EMAIL, PASSWORD)  # the old password no longer opens the account
    await expect(page.get_by_role("alert")).to_contain_text("is not right")
    await visitor.log_in(EMAIL, NEW_PASSWORD)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    assert len(visitor.pages_checked) >= 20


async def test_an_email_already_used_is_said_beside_the_email(visitor: Visitor) -> None:
    await visitor.sign_up(EMAIL, PASSWORD)
    await visitor.sign_up(EMAIL, PASSWORD)
    assert await visitor.error_beside("email") == (
        "Error: An account already uses this email address. Log in, or reset your password if "
        "you forgot it."
    )


async def test_a_spent_activation_link_asks_for_a_new_one(visitor: Visitor, portal: Portal) -> None:
    await visitor.sign_up(EMAIL, PASSWORD)
    link = portal.emailed_link(EMAIL, "activate")
    for _ in range(2):
        await visitor.open(link)
        await visitor.press("Activate my account")
    await expect(visitor.page.get_by_role("alert")).to_contain_text(
        "This link is not valid or was already used. Ask for a new one."
    )
    new_link = visitor.page.get_by_role("link", name="Send me a new activation link")
    await expect(new_link).to_be_visible()


async def test_a_spanish_speaker_reads_the_pages_and_refusals_in_spanish(
    browser: Browser, portal: Portal, axe_source: str, request: pytest.FixtureRequest
) -> None:
    async with browsing(browser, portal, axe_source, request, locale="es-MX") as visitor:
        await visitor.sign_up("no-es-un-correo", PASSWORD, language="es")
        page = visitor.page
        assert await page.get_attribute("html", "lang") == "es"
        await expect(page.get_by_role("heading", level=1)).to_have_text("Crear una cuenta")
        assert await visitor.error_beside("email") == (
            "Error: Escriba un correo electrónico como nombre@ejemplo.com."
        )

        await visitor.press("English")
        assert await page.get_attribute("html", "lang") == "en"
        await visitor.open("/log-in")  # the switch is remembered
        await expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


async def test_the_keyboard_alone_skips_to_the_content_and_sees_where_it_is(
    visitor: Visitor,
) -> None:
    await visitor.open("/log-in")
    page = visitor.page
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()  # shown when focused
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Email address")).to_be_focused()
    outline = await page.get_by_label("Email address").evaluate(
        "element => getComputedStyle(element).outlineStyle"
    )
    assert outline == "solid"


async def test_the_pages_fit_a_phone_screen(
    browser: Browser, portal: Portal, axe_source: str, request: pytest.FixtureRequest
) -> None:
    async with browsing(browser, portal, axe_source, request, **PHONE) as visitor:
        for path in ("/", "/sign-up", "/log-in", "/forgot-password"):
            await visitor.open(path)
            await visitor.fits_the_screen()
