"""Video visits in Chromium on the real identity, ledger and visitation (Kafka, PostgreSQL), the
visitation service and the portal on one clock (Thursday 2026-03-05): a family member in
Chicago schedules a visit at a facility in New York on the Sunday clocks spring forward, sees it
on both clocks, and cancels it; another is cancelled by an officer from the console's day per
station, the family then told why. axe-core checks every page; screenshots at a phone's and a
computer's width with `make screenshots`."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from kinlink_kit.testing import eventually
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import VisitPlatform
from tests.browser.portal.conftest import browsing
from tests.browser.portal.conftest import create_officer

PASSWORD = "a long enough password"
OFFICER = ("video.officer@example.com", "an officer's long password")
# 9:00 AM in New York on Sunday 2026-03-08 (EDT, clocks moved forward at 2 AM) is 8:00 AM in
# Chicago (CDT, moved forward an hour later in UTC terms, at its own 2 AM).
YOUR_TIME = "Sunday, March 8, 2026, 8:00 AM CDT to 8:15 AM CDT"
FACILITY_TIME = "Sunday, March 8, 2026, 9:00 AM EDT to 9:15 AM EDT"
# A minute into that visit.
A_MINUTE_IN = datetime(2026, 3, 8, 13, 1, tzinfo=UTC)


async def schedule_sunday_visit(visitor: Visitor, in_facility: bool = False) -> None:
    """From Video Visits, Ada Lovelace's first free 15 minutes on the Sunday, from home (or
    in the facility's lobby)."""
    page = visitor.page
    await visitor.open("/visits")
    await visitor.follow("Schedule a Video Call")
    await page.get_by_label("Facility").select_option(label="Video County Jail")
    await visitor.fill(**{"Resident ID": "R-1001"})
    await visitor.press("Continue")
    await expect(page.locator("#kind-remote-hint")).to_have_text(
        "$0.20 a connected minute, paid from your messaging subscription"
    )
    await expect(page.locator("#kind-in_facility-hint")).to_have_text(
        "In Facility calls do not cost."
    )
    if in_facility:
        await page.get_by_label("In facility, at the facility's visiting lobby").check()
    await page.get_by_label("Day at the facility").fill("2026-03-08")
    await visitor.press("Show free times")
    await expect(page.locator("[data-zones-differ]")).to_contain_text("Central time (Chicago)")
    first = page.locator("[data-slot]").first
    await expect(first.locator("[data-your-time]")).to_have_text(YOUR_TIME)
    await expect(first.locator("[data-facility-time]")).to_have_text(FACILITY_TIME)
    await visitor.follow(f"Choose {YOUR_TIME}")
    await expect(page.locator("dd[data-your-time]")).to_have_text(YOUR_TIME)
    await expect(page.locator("dd[data-facility-time]")).to_have_text(FACILITY_TIME)
    await visitor.press("Book this visit")
    await expect(page.get_by_role("status")).to_have_text("Your video visit is scheduled.")
    await expect(page.locator("[data-your-time]")).to_have_text(YOUR_TIME)
    await expect(page.locator("[data-facility-time]")).to_contain_text(FACILITY_TIME)
    await expect(page.locator("[data-status]")).to_have_text("Scheduled")


async def test_a_visit_is_scheduled_on_both_clocks_then_cancelled(
    visit_family: Visitor, visit_platform: VisitPlatform
) -> None:
    page = visit_family.page
    await visit_family.become_family_member("rosa.video@example.com", PASSWORD)
    await schedule_sunday_visit(visit_family)
    await visit_family.press("Cancel visit")
    await expect(page.get_by_role("status")).to_contain_text("Your visit is cancelled.")
    await expect(page.locator("[data-status]")).to_contain_text("You cancelled this visit.")
    await expect(page.get_by_role("button", name="Cancel visit")).to_have_count(0)
    # The slot is free again.
    await visit_family.open(
        f"/visits/schedule/{visit_platform.facility_id}/R-1001?kind=remote&slot_minutes=15"
        "&date=2026-03-08"
    )
    await expect(page.locator("[data-slot] [data-your-time]").first).to_have_text(YOUR_TIME)


async def test_an_officer_cancels_a_visit_from_the_stations_day(
    browser: Browser,
    visit_family: Visitor,
    visit_platform: VisitPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    await visit_family.become_family_member("rosa.officer@example.com", PASSWORD)
    await schedule_sunday_visit(visit_family)
    visit_url = visit_family.page.url.split("?")[0]
    await create_officer(visit_platform.grpc_address, OFFICER, visit_platform.facility_id)
    async with browsing(browser, visit_platform, axe_source, request, **PHONE) as officer:
        page = officer.page
        await officer.log_in(*OFFICER)
        await officer.open("/console")
        await officer.follow("Video visits Video County Jail")
        await page.get_by_label("Day").fill("2026-03-08")
        await officer.press("Show the day")
        station = page.locator("section", has=page.get_by_role("heading", name="Station 1"))
        await expect(station.get_by_role("heading", level=3)).to_have_text(FACILITY_TIME)
        await expect(station.locator("[data-status]")).to_have_text("Scheduled")
        await officer.fits_the_screen()
        await officer.press(f"Cancel the visit {FACILITY_TIME}")
        assert (
            await officer.error_beside(
                station.locator("textarea").first and "note-" + visit_url.rsplit("/", 1)[1]
            )
            == "Error: Say why the visit is cancelled: the family is shown it."
        )
        await station.get_by_label("Why the visit is cancelled").fill("The unit is on lockdown.")
        await officer.press(f"Cancel the visit {FACILITY_TIME}")
        await expect(page.get_by_role("status")).to_contain_text("The visit is cancelled.")
    await visit_family.open(visit_url)
    status = visit_family.page.locator("[data-status]")
    await expect(status).to_contain_text("The facility cancelled this visit.")
    await expect(status).to_contain_text("The unit is on lockdown.")


async def test_a_visit_connected_in_the_simulated_room_is_ended_by_an_officer(
    browser: Browser,
    visit_family: Visitor,
    visit_platform: VisitPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    page = visit_family.page
    await visit_family.become_family_member("rosa.connect@example.com", PASSWORD)
    await schedule_sunday_visit(visit_family, in_facility=True)
    await expect(page.locator("[data-kind]")).to_have_text("In facility")
    visit_url = page.url.split("?")[0]
    visit_platform.clock.now = A_MINUTE_IN
    await visit_family.open(visit_url)
    await visit_family.follow("Connect")
    await expect(page.locator("[data-room-state]")).to_have_attribute(
        "data-room-state", "connected"
    )
    await page.wait_for_function("document.querySelector('[data-self-view]').videoWidth > 0")
    await visit_family.check_accessibility("main")

    await create_officer(visit_platform.grpc_address, OFFICER, visit_platform.facility_id)
    async with browsing(browser, visit_platform, axe_source, request) as officer:
        await officer.log_in(*OFFICER)
        day = f"/console/facilities/{visit_platform.facility_id}/visits?date=2026-03-08"
        await officer.open(day)
        await officer.follow(f"Open at the station {FACILITY_TIME}")
        await expect(officer.page.locator("[data-room-state]")).to_have_attribute(
            "data-room-state", "connected"
        )
        await officer.open(day)
        status = officer.page.locator("[data-visit] [data-status]")

        async def under_way() -> bool:
            await officer.page.reload()
            return (await status.text_content() or "").strip() == "In progress"

        await eventually(under_way, timeout=30)
        await officer.fill(**{"Why the visit is ended": "Count time in the unit."})
        await officer.press(f"End the visit {FACILITY_TIME}")
        await expect(officer.page.get_by_role("status")).to_contain_text("The visit is ended.")

    await visit_family.open(visit_url)
    ended = page.locator("[data-status]")
    await expect(ended).to_contain_text("An officer ended the visit.")
    await expect(ended).to_contain_text("Count time in the unit.")
    await expect(page.locator("[data-charged]")).to_have_text("$0.00")
