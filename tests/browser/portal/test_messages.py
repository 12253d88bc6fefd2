"""Messages in the browser, against identity, the ledger and messaging on the real Kafka and
PostgreSQL: a family member writes to a resident with a photo (charged to their messaging
subscription), sees it pending review in the sent folder, keeps a draft; an officer of the
facility approves it in the console's review queue, with its thumbnail; the sender then sees it
delivered and the photo served through the portal. A photo that lies about its type is refused
beside its input, a send without credit offers the refill; a resident's collect reply shows
nothing until paid for, then when it expires, and the resident is blocked and unblocked. Every
page passes axe-core."""

from __future__ import annotations

import io
import uuid

import grpc
import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2 as messaging_pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_embedded import demo
from kinlink_kit.auth import Role
from kinlink_kit.testing import eventually
from PIL import Image
from playwright.async_api import Browser
from playwright.async_api import Page
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Platform
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing
from tests.browser.portal.test_money_pages import family_member
from tests.browser.portal.test_money_pages import set_up_subscription
from tests.browser.portal.test_money_pages import subscription_card
from tests.conftest import bearer

OFFICER_PASSWORD = "an officer's long password"
REVIEWING = DEMO_FACILITIES[FAC_DEMO].model_copy(update={"review_policy": ReviewPolicy.REVIEW_ALL})


def a_photo() -> bytes:
    """A small PNG, as a phone's screenshot would be."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


async def reviewing_facility_with_officer(platform: Platform) -> str:
    """This run's Demo County Jail now reviews every message (once messaging heard it), and an
    officer of it; the officer's email."""
    email = f"officer.{uuid.uuid4().hex[:8]}@example.com"
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(
            pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
        )
        operator = bearer(session.access_token)
        configuring = pb.ConfigureFacilityRequest(
            facility_id=platform.facility_id, settings=settings_message(REVIEWING)
        )
        await identity.ConfigureFacility(configuring, metadata=operator)
        await identity.CreateStaffAccount(
            pb.CreateStaffAccountRequest(
                email=email,
                password=OFFICER_PASSWORD,
                first_name="Olive",
                last_name="Officer",
                roles=["facility_officer"],
                facility_ids=[platform.facility_id],
            ),
            metadata=operator,
        )

    async def reviewed() -> bool:
        settings = platform.messaging.directory.facility(platform.facility_id)
        return settings.review_policy is ReviewPolicy.REVIEW_ALL

    await eventually(reviewed, timeout=60)
    return email


async def subscribed_family_member(family: Visitor, platform: Platform) -> str:
    """A family member logged in, their messaging subscription funded with $20.00; their
    account id."""
    account_id, credentials = await family_member(family, platform)
    await subscription_card(platform, account_id, credentials, "pm_card_visa")
    await set_up_subscription(family, "$20.00")
    return account_id


async def images_shown(page: Page) -> list[str]:
    """The sources of the page's images, each of which the browser loaded and decoded."""
    images = page.locator("img")
    await expect(images.first).to_be_visible()
    sources: list[str] = await images.evaluate_all(
        "images => images.map(i => i.complete && i.naturalWidth > 0 ? i.getAttribute('src') : '')"
    )
    return sources


async def test_a_photo_message_is_sent_reviewed_by_an_officer_and_delivered(
    family: Visitor,
    platform: Platform,
    browser: Browser,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    page = family.page
    account_id = await subscribed_family_member(family, platform)
    officer_email = await reviewing_facility_with_officer(platform)

    await family.open(f"/residents?last_name=Lovelace&facility_id={platform.facility_id}")
    await family.follow("Write a message to Ada Lovelace")
    await expect(page.locator("[data-review]")).to_have_attribute("data-review", "review_all")
    await expect(page.locator("[data-price=message]")).to_be_visible()
    await family.fill(**{"Your message": "A draft first."})
    await family.press("Save draft")
    await expect(page.get_by_role("status")).to_have_text("Your draft is saved.")
    await expect(page.locator("tbody tr")).to_have_count(1)
    await family.follow("Edit the draft to Ada Lovelace (R-1001)")
    await expect(page.get_by_label("Your message", exact=True)).to_have_value("A draft first.")

    await family.fill(**{"Your message": "Hello Ada, here is the garden."})
    await page.get_by_label("Photos").set_input_files(
        {"name": "garden.png", "mimeType": "image/png", "buffer": a_photo()}
    )
    await family.press("Send")
    await expect(page.get_by_role("status")).to_have_text("Your message is sent.")
    await expect(page.locator("td[data-status]")).to_have_text(["Pending review"])
    wallet = platform.ledger.wallet(uuid.UUID(account_id))
    assert wallet is not None
    assert wallet.balance == 2000 - REVIEWING.message_price_cents - REVIEWING.image_price_cents
    await family.follow("Drafts")
    await expect(page.locator("tbody tr")).to_have_count(0)  # sending it deleted the draft

    async with browsing(browser, platform, axe_source, request) as officer:
        await officer.log_in(officer_email, OFFICER_PASSWORD)
        await officer.open(f"/console/facilities/{platform.facility_id}/review")
        item = officer.page.locator("article[data-review]")
        await expect(item).to_have_count(1)
        await expect(item).to_contain_text("Hello Ada, here is the garden.")
        (thumbnail,) = await images_shown(officer.page)
        assert thumbnail.endswith("/images/0?size=thumbnail"), thumbnail
        await officer.press("Approve the message to R-1001")
        await expect(officer.page.get_by_role("status")).to_have_text(
            "The message is approved and delivered."
        )
        await expect(officer.page.locator("article[data-review]")).to_have_count(0)

    await family.follow("Sent")
    await expect(page.locator("td[data-status]")).to_have_text(["Delivered"])
    await page.locator("tbody a").click()
    await page.wait_for_url("**/messages/*")
    await family.check_accessibility()
    await expect(page.locator("[data-body]")).to_have_text("Hello Ada, here is the garden.")
    (photo,) = await images_shown(page)
    assert photo.startswith("/messages/") and photo.endswith("/images/0"), photo

    for folder in ("Inbox", "Blocked residents"):
        await family.follow(folder)


async def test_a_photo_that_lies_is_refused_beside_it_and_without_credit_the_refill_is_offered(
    browser: Browser, platform: Platform, axe_source: str, request: pytest.FixtureRequest
) -> None:
    """On a phone, with no subscription yet: nothing can be charged."""
    async with browsing(browser, platform, axe_source, request, **PHONE) as family:
        await refused_on_a_phone(family, platform)


async def refused_on_a_phone(family: Visitor, platform: Platform) -> None:
    page = family.page
    await family_member(family, platform)
    await family.open(f"/residents?last_name=Hopper&facility_id={platform.facility_id}")
    await family.follow("Write a message to Grace Hopper")
    await family.fill(**{"Your message": "Hello Grace."})
    await page.get_by_label("Photos").set_input_files(
        {"name": "garden.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}  # a PNG
    )
    await family.fits_the_screen()
    await family.press("Send")
    await family.fits_the_screen()
    assert await family.error_beside("images") == (
        "Error: This file is not the kind of picture its name says. Choose a JPEG or PNG photo."
    )

    await family.press("Send")  # the same message, now without the photo
    await expect(page.locator("#form-error")).to_contain_text(
        "Your messaging balance is too low for this. Refill it first."
    )
    await family.follow("Refill your messaging subscription")
    await expect(page.locator("[data-state]")).to_have_attribute("data-state", "not_set_up")


async def test_a_collect_reply_is_paid_for_then_read_and_its_resident_blocked(
    family: Visitor, platform: Platform
) -> None:
    page = family.page
    account_id = await subscribed_family_member(family, platform)
    await family.open(f"/residents?last_name=Lovelace&facility_id={platform.facility_id}")
    await family.follow("Write a message to Ada Lovelace")
    await family.fill(**{"Your message": "Write back when you can."})
    await family.press("Send")
    await expect(page.locator("td[data-status]")).to_have_text(["Delivered"])  # not reviewed

    kiosk = bearer(
        platform.token_keys.token(
            "kiosk", Role.FACILITY_INTEGRATION, facilities=[platform.facility_id]
        )
    )
    async with grpc.aio.insecure_channel(platform.messaging_address) as channel:
        await messaging_pb2_grpc.MessagingServiceStub(channel).PostReply(
            messaging_pb.PostReplyRequest(
                client_key="reply-1",
                facility_id=platform.facility_id,
                resident_id="R-1001",
                account_id=account_id,
                body="Thank you, it made my week.",
                collect=True,
            ),
            metadata=kiosk,
        )

    await family.follow("Inbox")
    await expect(page.locator("td[data-status]")).to_have_text(["Collect: pay to open"])
    await expect(page.locator("main")).not_to_contain_text("made my week")
    await page.locator("tbody a").click()
    await page.wait_for_url("**/messages/*")
    await family.check_accessibility()
    await expect(page.locator("main")).not_to_contain_text("made my week")
    await family.press("Pay and open")
    await expect(page.locator("[data-body]")).to_have_text("Thank you, it made my week.")
    # Read now: it can be opened for 14 days, said in Rosa's time zone (the jail's is the same).
    await expect(page.locator("[data-expires]")).to_contain_text("Central time (Chicago)")

    await family.press("Block this resident")
    await expect(page.get_by_role("status")).to_contain_text("The resident is blocked")
    await expect(page.locator("tr[data-blocked]")).to_have_count(1)
    await family.press("Unblock Ada Lovelace (R-1001)")
    await expect(page.locator("tr[data-blocked]")).to_have_count(0)
