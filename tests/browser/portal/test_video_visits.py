"""Video visits in Chromium on the real identity, ledger and visitation (Kafka, PostgreSQL), the
visitation service and the portal on one clock (Thursday 2026-03-05): a family member in
Chicago schedules a visit at a facility in New York on the Sunday clocks spring forward, sees it
on both clocks, and cancels it; another is cancelled by an officer from the console's day per
station, the family then told why. axe-core checks every page; screenshots at a phone's and a
computer's width with `make screenshots`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import grpc
import pytest
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink_embedded import demo
from kinlink_kit.testing import eventually
from kinlink_ledger.domain.subscription_card import SubscriptionCard
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import VisitPlatform
from tests.browser.portal.conftest import browsing
from tests.browser.portal.conftest import create_officer
from tests.browser.portal.test_money_pages import BILLING
from tests.browser.portal.test_video_test import camera_playing
from tests.conftest import bearer

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


async def connect(visitor: Visitor, visit_url: str) -> None:
    """The family member connects from the visit's page: the simulated room joined, the fake
    camera's picture shown."""
    page = visitor.page
    await visitor.open(visit_url)
    await visitor.follow("Connect")
    await expect(page.locator("[data-room-state]")).to_have_attribute(
        "data-room-state", "connected"
    )
    await camera_playing(page)


async def join_at_the_station(officer: Visitor, platform: VisitPlatform) -> None:
    """The officer opens the Sunday's visit at the station, then the day again, where the visit
    shows in progress once the room reported both sides in."""
    day = f"/console/facilities/{platform.facility_id}/visits?date=2026-03-08"
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


@asynccontextmanager
async def both_sides_in(
    browser: Browser,
    family: Visitor,
    platform: VisitPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Visitor]:
    """A minute after the Sunday visit (the family's page open on it) starts, the family
    connects and an officer of the facility joins at the station; yields the officer, on the
    day's page showing the visit in progress."""
    platform.clock.now = A_MINUTE_IN
    await connect(family, family.page.url.split("?")[0])
    await family.check_accessibility("main")
    await create_officer(platform.grpc_address, OFFICER, platform.facility_id)
    async with browsing(browser, platform, axe_source, request) as officer:
        await officer.log_in(*OFFICER)
        await join_at_the_station(officer, platform)
        yield officer


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
    async with both_sides_in(browser, visit_family, visit_platform, axe_source, request) as officer:
        await officer.fill(**{"Why the visit is ended": "Count time in the unit."})
        await officer.press(f"End the visit {FACILITY_TIME}")
        await expect(officer.page.get_by_role("status")).to_contain_text("The visit is ended.")

    await visit_family.open(visit_url)
    ended = page.locator("[data-status]")
    await expect(ended).to_contain_text("An officer ended the visit.")
    await expect(ended).to_contain_text("Count time in the unit.")
    await expect(page.locator("[data-charged]")).to_have_text("$0.00")


async def fund_messaging_subscription(
    visitor: Visitor, platform: VisitPlatform, email: str
) -> None:
    """A Visa card added in identity to fund the messaging subscription (the cards pages are
    another part of the portal), then the subscription set up with $10.00 at the video facility,
    once the ledger knows the card."""
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(identity_pb.LogInRequest(email=email, password=PASSWORD))
        adding = identity_pb.AddCardRequest(
            payment_method="pm_card_visa", billing_address=BILLING, fund_messaging_subscription=True
        )
        await identity.AddCard(adding, metadata=bearer(session.access_token))
    card_id = SubscriptionCard.create_id(uuid.UUID(session.account.account_id))

    async def the_ledger_knows() -> bool:
        return platform.ledger.find(card_id, SubscriptionCard) is not None

    await eventually(the_ledger_knows, timeout=60)
    await visitor.open("/messaging/set-up")
    await visitor.page.get_by_label("Facility").select_option(platform.facility_id)
    await visitor.press("Continue")
    await visitor.page.get_by_label("$10.00", exact=True).check()
    await visitor.press("Set up and pay")
    await expect(visitor.page.locator("[data-state]")).to_have_attribute("data-state", "active")


async def test_minutes_charged_then_a_refund_approved_by_an_operator_as_credit(
    browser: Browser,
    visit_family: Visitor,
    visit_platform: VisitPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    page = visit_family.page
    await visit_family.become_family_member("rosa.refund@example.com", PASSWORD)
    await fund_messaging_subscription(visit_family, visit_platform, "rosa.refund@example.com")
    await schedule_sunday_visit(visit_family)
    await expect(page.locator("[data-covers]")).to_have_text(
        "Your balance of $10.00 covers 50 minutes at this facility's price."
    )
    visit_url = page.url.split("?")[0]
    async with both_sides_in(browser, visit_family, visit_platform, axe_source, request) as officer:
        # Two and a half minutes connected: three minutes begun, each charged at $0.20.
        visit_platform.clock.now = A_MINUTE_IN + timedelta(seconds=150)

        async def charged() -> bool:
            await officer.page.reload()
            return "3 minutes" in (await officer.page.locator("[data-visit]").text_content() or "")

        await eventually(charged, timeout=30)
    await visit_family.page.bring_to_front()
    await visit_family.press("Hang up")
    await expect(page.get_by_role("status")).to_have_text("You ended the visit.")
    await expect(page.locator("[data-charged]")).to_have_text("$0.60 (3 minutes)")

    await visit_family.follow("Request a Refund")
    await expect(page.locator("[data-caller-side]")).to_contain_text("your internet connection")
    await page.get_by_label("What went wrong").select_option(label="The call dropped")
    await visit_family.fill(**{"What happened": "The picture froze and we lost a minute."})
    await visit_family.press("Send the request")
    await expect(page.get_by_role("status")).to_contain_text("We review it within 72 hours")
    await expect(page.locator("[data-refund]")).to_contain_text("Being reviewed")

    async with browsing(browser, visit_platform, axe_source, request, **PHONE) as operator:
        await operator.log_in(demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
        await operator.open("/console")
        await operator.follow("Video refund requests")
        item = operator.page.locator("[data-request]")
        await expect(item).to_contain_text("The picture froze and we lost a minute.")
        await expect(item.get_by_label("Amount to credit")).to_have_value("0.60")
        await item.get_by_label("Amount to credit").fill("0.20")
        await operator.fits_the_screen()
        await operator.page.get_by_role("button", name="Approve", exact=False).click()
        await operator.page.wait_for_load_state()
        await operator.check_accessibility()
        await expect(operator.page.get_by_role("status")).to_have_text(
            "Approved: the credit is issued to the family's account."
        )

    await visit_family.open(visit_url)
    await expect(page.locator("[data-refund]")).to_contain_text(
        "Approved: issued as a credit to your account · $0.20"
    )
    await expect(page.locator("[data-credited]")).to_have_text("$0.20")
