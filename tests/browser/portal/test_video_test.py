"""The Video Test in Chromium with its generated camera and tone (the browser's fake devices,
allowed without asking): the family member starts it, sees their own picture and the
microphone's bar move, then stops it; on a phone the page fits the screen. axe-core checks it."""

from __future__ import annotations

import pytest
from kinlink_kit.testing import eventually
from playwright.async_api import Browser
from playwright.async_api import Page
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Portal
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing


async def camera_playing(page: Page) -> None:
    """The self view plays the camera: its video has a size once frames arrive. Asked from here,
    not polled in the page, whose CSP refuses the evaluated code Playwright would poll with."""

    async def playing() -> bool:
        width = await page.evaluate("document.querySelector('[data-self-view]').videoWidth")
        return bool(width)

    await eventually(playing, timeout=30)


async def see_yourself_and_be_heard(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.open("/visits/video-test")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Video Test")
    await expect(page.locator("[data-headset]")).to_contain_text("headset with a microphone")
    await expect(page.locator("[data-mobile]")).to_contain_text("home computer or laptop")

    await page.get_by_role("button", name="Start the test").click()
    state = page.get_by_role("status")
    await expect(state).to_have_attribute("data-device-state", "heard")
    await expect(state).to_have_text("We hear you: your microphone works.")
    # The camera's picture plays: the generated video has a size once frames arrive.
    await camera_playing(page)
    await visitor.check_accessibility("main")

    await page.get_by_role("button", name="Stop the test").click()
    await expect(page.get_by_role("button", name="Stop the test")).to_be_hidden()
    live = await page.evaluate("document.querySelector('[data-self-view]').srcObject")
    assert live is None


async def test_the_video_test_shows_the_camera_and_hears_the_microphone(visitor: Visitor) -> None:
    await see_yourself_and_be_heard(visitor)


async def test_the_video_test_on_a_phone(
    browser: Browser, portal: Portal, axe_source: str, request: pytest.FixtureRequest
) -> None:
    async with browsing(browser, portal, axe_source, request, **PHONE) as visitor:
        await see_yourself_and_be_heard(visitor)
        await visitor.fits_the_screen()
