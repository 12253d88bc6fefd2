"""SMS notifications in the browser, against identity, the ledger, messaging and the SMS gateway
on the real Kafka and PostgreSQL (the gateway's carrier the simulated one, writing each SMS in a
folder): a family member previews a message's cost as SMS (its curly apostrophe forcing UCS-2,
the plain text suggested and taken), sends it, is offered to set SMS up, reads the consent
words, is sent back to try another number when the carrier reports the code undeliverable,
enters a wrong code then the right one, reaches "setup complete", changes the number (ending on
My Account), gets the resident's reply as an SMS charged to the subscription and listed in the
SMS history, and turns SMS off; on a phone, the number and code pages fit the screen. Every
page passes axe-core."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC
from datetime import datetime

import grpc
import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2 as messaging_pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_embedded import demo
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import eventually
from kinlink_sms.service_layer.get_phone_number_status import get_phone_number_status
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Platform
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing
from tests.browser.portal.test_messages import subscribed_family_member
from tests.conftest import bearer

OFFERING_SMS = DEMO_FACILITIES[FAC_DEMO].model_copy(update={"sms_available": True})
# A phone's smart punctuation: one curly apostrophe makes the whole text UCS-2.
CURLY = "\N{RIGHT SINGLE QUOTATION MARK}"
# 89 characters: one GSM-7 text, but two in UCS-2 (67 per part).
LONG_NOTE = f"It{CURLY}s sunny here and the garden is full of tomatoes, we think of you every day."
# The simulated carrier reports a code to a 555-0006 number undelivered: a landline (30006).
LANDLINE = "(312) 555-0006"


async def facility_offering_sms(platform: Platform) -> None:
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(
            pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
        )
        configuring = pb.ConfigureFacilityRequest(
            facility_id=platform.facility_id, settings=settings_message(OFFERING_SMS)
        )
        await identity.ConfigureFacility(configuring, metadata=bearer(session.access_token))


async def write_to_ada(family: Visitor, platform: Platform) -> None:
    await family.open(f"/residents?last_name=Lovelace&facility_id={platform.facility_id}")
    await family.follow("Write a message to Ada Lovelace")


async def corresponding_with_sms_offered(family: Visitor, platform: Platform) -> str:
    """A family member who wrote to Ada at a facility offering SMS, once the SMS gateway knows
    both (its clock standing still from then: a new code is asked for too soon); their account
    id."""
    account_id = await subscribed_family_member(family, platform)
    await facility_offering_sms(platform)
    await write_to_ada(family, platform)
    await family.fill(**{"Your message": "Hello Ada."})
    await family.press("Send")
    await platform.until_sms_knows(account_id, platform.facility_id, "R-1001")
    platform.sms.clock = Clock(datetime.now(UTC))
    return account_id


async def code_undeliverable(platform: Platform, number: str) -> None:
    """Waits for the simulated carrier's own report that the code texted to `number` was
    undelivered (it may come before the gateway recorded the code's SMS id)."""

    async def reported() -> bool:
        phone = await asyncio.to_thread(get_phone_number_status, platform.sms, number)
        return phone.unreachable_at is not None

    await eventually(reported)


async def reply_from_ada(platform: Platform, account_id: str, body: str) -> None:
    """Ada's reply to the family member, posted by the facility's system."""
    kiosk = bearer(
        platform.token_keys.token(
            "kiosk", Role.FACILITY_INTEGRATION, facilities=[platform.facility_id]
        )
    )
    async with grpc.aio.insecure_channel(platform.messaging_address) as channel:
        await messaging_pb2_grpc.MessagingServiceStub(channel).PostReply(
            messaging_pb.PostReplyRequest(
                client_key="sms-reply-1",
                facility_id=platform.facility_id,
                resident_id="R-1001",
                account_id=account_id,
                body=body,
            ),
            metadata=kiosk,
        )


async def until_listed_delivered(family: Visitor) -> None:
    """The SMS history page, opened until the SMS is listed delivered (sent by the gateway's
    dispatcher, reported by the carrier, charged)."""

    async def delivered() -> bool:
        await family.page.goto(family.portal.url + "/sms/history")
        return "Delivered" in await family.page.locator("main").inner_text()

    await eventually(delivered, timeout=60)
    await family.check_accessibility()


async def test_a_preview_a_send_then_sms_set_up_changed_and_turned_off(
    family: Visitor, platform: Platform
) -> None:
    page = family.page
    account_id = await corresponding_with_sms_offered(family, platform)

    await write_to_ada(family, platform)
    await family.fill(**{"Your message": LONG_NOTE})
    await family.press("Cost as text messages")
    preview = page.locator("[data-sms-preview]")
    await expect(preview.locator("[data-segments]")).to_have_text("2 texts")
    await expect(preview.locator("[data-forcing] li")).to_have_text(
        [f"“{CURLY}” at character 3: write “'” instead"]
    )
    await expect(preview.locator("[data-suggested]")).to_contain_text("takes 1 text")
    await family.press("Use the plain text")
    await expect(page.get_by_label("Your message", exact=True)).to_have_value(
        LONG_NOTE.replace(CURLY, "'")
    )
    await expect(page.locator("[data-segments]")).to_have_text("1 text")
    await family.press("Send")
    await expect(page.get_by_role("status")).to_have_text("Your message is sent.")

    await family.follow("Set up text messages (SMS)")
    await expect(page.locator("[data-sms-state]")).to_have_attribute("data-sms-state", "off")
    await family.follow("Turn on text messages")
    await expect(page.locator("[data-consent]")).to_contain_text("Reply STOP to stop")
    await family.fill(**{"Your mobile phone number": LANDLINE})
    await family.press("Text me a code")
    await code_undeliverable(platform, "+13125550006")
    await family.open(f"/sms/{platform.facility_id}/R-1001/code")
    assert "Try another mobile number." in await family.error_beside("phone_number")

    await family.fill(**{"Your mobile phone number": "(312) 555-0188"})
    await family.press("Text me a code")
    await expect(page.locator("blockquote[data-consent]")).to_contain_text("Msg&data rates")
    await expect(page.locator("[data-attempts]")).to_have_text("5")
    await family.press("Send a new code")  # within the minute: refused, the time said
    await expect(page.locator("#form-error")).to_contain_text("Wait until the time shown")
    await family.fill(**{"Six-digit code": "000000"})
    await family.press("Agree and turn on")
    assert "not the code we sent" in await family.error_beside("code")
    await expect(page.locator("[data-attempts]")).to_have_text("4")
    await family.fill(**{"Six-digit code": platform.code_texted_to("+13125550188")})
    await family.press("Agree and turn on")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Setup complete")
    await expect(page.get_by_role("link", name="Compose Message")).to_be_visible()
    await family.follow("Return To Menu")

    await family.follow("SMS notifications")
    await expect(page.locator("tr[data-resident=R-1001] [data-sms-state]")).to_have_text(
        "On: texts go to +13125550188"
    )
    await family.follow("Settings of text messages for Ada Lovelace (R-1001)")
    await family.follow("Change number")
    await family.fill(**{"Your mobile phone number": "312-555-0199"})
    await family.press("Text me a code")
    await family.fill(**{"Six-digit code": platform.code_texted_to("+13125550199")})
    await family.press("Agree and turn on")
    await expect(page.get_by_role("status")).to_have_text(
        "Your new number is verified: text messages go to it now."
    )
    assert page.url.endswith("/account?notice=sms_number_changed")

    await reply_from_ada(platform, account_id, "See you on Sunday!")
    await until_listed_delivered(family)
    row = page.locator("tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator("[data-body]")).to_contain_text("See you on Sunday!")
    await expect(row).to_contain_text("From Ada Lovelace (R-1001) to your phone")
    await expect(row).to_contain_text("1 text")
    # Two messages written, one SMS segment received: each at the facility's message price.
    wallet = platform.ledger.wallet(uuid.UUID(account_id))
    assert wallet is not None
    assert wallet.balance == 2000 - 3 * OFFERING_SMS.message_price_cents

    await family.follow("Text message settings")
    await family.follow("Settings of text messages for Ada Lovelace (R-1001)")
    await family.press("Turn off text messages")
    await expect(page.get_by_role("status")).to_have_text(
        "Text messages are off for this resident."
    )
    await expect(page.locator("p[data-sms-state]")).to_contain_text("You turned text messages off.")


async def test_on_a_phone_the_number_and_code_pages_fit_the_screen(
    browser: Browser, platform: Platform, axe_source: str, request: pytest.FixtureRequest
) -> None:
    async with browsing(browser, platform, axe_source, request, **PHONE) as family:
        await corresponding_with_sms_offered(family, platform)
        await family.open(f"/sms/{platform.facility_id}/R-1001/number")
        await family.fits_the_screen()
        await family.fill(**{"Your mobile phone number": "+1 312 555 0188"})
        await family.press("Text me a code")
        await family.fits_the_screen()
        await family.fill(**{"Six-digit code": platform.code_texted_to("+13125550188")})
        await family.press("Agree and turn on")
        await family.fits_the_screen()
        await expect(family.page.get_by_role("heading", level=1)).to_have_text("Setup complete")
