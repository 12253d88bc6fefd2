"""The family's money in the browser, against identity and the ledger on the real Kafka and
PostgreSQL: the messaging subscription set up and seen funded in its history, a funding the bank
checks (3-D Secure) confirmed on the stand-in bank's page, a deposit in the deposit history, a
page in Spanish, and the pages at a phone's width."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refusal_of
from kinlink_ledger.domain.account_cards import PaymentMethodNotFound
from kinlink_ledger.domain.subscription_card import SubscriptionCard
from kinlink_ledger.service_layer.account_cards import check_own_card
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import PHONE
from tests.browser.portal.conftest import Platform
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import browsing
from tests.browser.portal.conftest import seed_demo_facilities
from tests.conftest import Metadata
from tests.conftest import bearer

PASSWORD = "a long family password"
R_1001_FIFTY_DOLLARS = ledger_pb.QuoteDepositRequest(
    facility_id=FAC_DEMO, resident_id="R-1001", amount_cents=5000
)
BILLING = identity_pb.PostalAddress(
    line1="12 Elm Street", city="Springfield", region="IL", postal_code="62701", country="US"
)


async def family_member(visitor: Visitor, platform: Platform) -> tuple[str, Metadata]:
    """A family member signed up, activated and logged in in the browser; their account id and
    gRPC credentials, to arrange what other pages (cards, deposits) would."""
    email = f"rosa.{uuid.uuid4().hex[:8]}@example.com"
    await seed_demo_facilities(platform.grpc_address)
    await visitor.become_family_member(email, PASSWORD)
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(identity_pb.LogInRequest(email=email, password=PASSWORD))
    return session.account.account_id, bearer(session.access_token)


async def subscription_card(
    platform: Platform, account_id: str, family: Metadata, payment_method: str
) -> None:
    """The card added and marked to fund the subscription in identity (the cards pages are
    another part of the portal), once the ledger has learnt of it from identity's events."""
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        await identity.AddCard(
            identity_pb.AddCardRequest(
                payment_method=payment_method,
                billing_address=BILLING,
                fund_messaging_subscription=True,
            ),
            metadata=family,
        )

    async def the_ledger_knows() -> bool:
        card = platform.ledger.find(
            SubscriptionCard.create_id(uuid.UUID(account_id)), SubscriptionCard
        )
        return card is not None and card.payment_method == payment_method

    async def the_ledger_knows_the_facility() -> bool:
        try:
            platform.ledger.facilities.get(FAC_DEMO)
        except Exception:
            return False
        return True

    await eventually(the_ledger_knows, timeout=60)
    await eventually(the_ledger_knows_the_facility, timeout=60)


async def card_and_resident_known(platform: Platform, account_id: str, family: Metadata) -> None:
    """A Visa card added in identity, once the ledger knows it, FAC-DEMO and its R-1001."""
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        await identity.AddCard(
            identity_pb.AddCardRequest(payment_method="pm_card_visa", billing_address=BILLING),
            metadata=family,
        )

        async def known() -> bool:
            try:
                check_own_card(platform.ledger, account_id, "pm_card_visa")
                await ledger.QuoteDeposit(R_1001_FIFTY_DOLLARS, metadata=family)
            except PaymentMethodNotFound:
                return False
            except grpc.aio.AioRpcError as error:
                reason = refusal_of(error).reason
                assert reason in {"facility_not_found", "resident_not_found"}, reason
                return False
            return True

        await eventually(known, timeout=60)


async def set_up_subscription(visitor: Visitor, amount: str) -> None:
    await visitor.follow("Messaging")
    await expect(visitor.page.locator("[data-state]")).to_have_attribute("data-state", "not_set_up")
    await visitor.follow("Set up my subscription")
    await visitor.page.get_by_label("Facility").select_option(FAC_DEMO)
    await visitor.press("Continue")
    await visitor.page.get_by_label(amount, exact=True).check()
    await visitor.press("Set up and pay")


async def test_a_family_member_sets_up_the_subscription_and_sees_it_funded(
    family: Visitor, platform: Platform
) -> None:
    page = family.page
    account_id, credentials = await family_member(family, platform)
    await subscription_card(platform, account_id, credentials, "pm_card_visa")
    await set_up_subscription(family, "$20.00")
    await expect(page.get_by_role("status")).to_have_text("Your messaging subscription is funded.")
    await expect(page.locator("dd[data-state]")).to_have_attribute("data-state", "active")
    await expect(page.locator(".details")).to_contain_text("$20.00")
    # Not used up: there is nothing to refill, and the page says why.
    await expect(page.get_by_role("button", name="Refill my subscription")).to_have_count(0)
    await expect(page.locator("[data-refill-explained]")).to_be_visible()
    assert platform.processor.charges(account_id=account_id) == [2000]

    await family.follow("Messaging history")
    row = page.locator("tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Funding from your card")
    await expect(row).to_contain_text("$20.00")
    await row.get_by_role("link").click()
    await page.wait_for_url("**/receipts/**")
    await family.check_accessibility()
    await expect(page.locator("table")).to_contain_text("$20.00")

    await family.follow("Messaging")
    await family.press("Disable my subscription")
    await expect(page.locator("dd[data-state]")).to_have_attribute("data-state", "disabled")


async def test_a_funding_the_bank_checks_is_refused_then_confirmed_in_the_browser(
    family: Visitor, platform: Platform
) -> None:
    page = family.page
    account_id, credentials = await family_member(family, platform)
    # Stripe's test card whose issuer asks the payer to authenticate (3-D Secure).
    await subscription_card(platform, account_id, credentials, "pm_card_authenticationRequired")
    await set_up_subscription(family, "$30.00")
    await expect(page).to_have_title("Confirm the payment with your bank · Kinlink")
    await family.press("Refuse the payment")
    await expect(page.locator("#form-error")).to_contain_text(
        "Your bank did not confirm the payment, so your card was not charged."
    )
    assert platform.processor.charges(account_id=account_id) == []
    # Set up but not funded: nothing to spend, so it may be refilled, and the bank asks again.
    await expect(page.locator("dd[data-state]")).to_have_attribute("data-state", "depleted")
    await family.press("Refill my subscription")
    await expect(page).to_have_title("Confirm the payment with your bank · Kinlink")
    assert platform.processor.charges(account_id=account_id) == []  # not before the bank
    await family.press("Approve the payment")
    await expect(page.get_by_role("status")).to_have_text("Your messaging subscription is funded.")
    await expect(page.locator(".details")).to_contain_text("$30.00")
    assert platform.processor.charges(account_id=account_id) == [3000]
    await family.follow("Messaging history")
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("Funding from your card")
    await expect(rows.nth(1)).to_contain_text("Funding failed: your card was not charged")


async def test_a_deposit_appears_in_the_deposit_history_in_spanish_too(
    family: Visitor, platform: Platform
) -> None:
    page = family.page
    account_id, credentials = await family_member(family, platform)
    await family.follow("Deposit history")
    await expect(page.locator("main")).to_contain_text("You have not made a deposit yet")
    await card_and_resident_known(platform, account_id, credentials)
    async with grpc.aio.insecure_channel(platform.grpc_address) as channel:
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        quote = await ledger.QuoteDeposit(R_1001_FIFTY_DOLLARS, metadata=credentials)
        deposit = await ledger.ConfirmDeposit(
            ledger_pb.ConfirmDepositRequest(
                quote_id=quote.quote_id,
                payment_method="pm_card_visa",
                idempotency_key=str(uuid.uuid4()),
            ),
            metadata=credentials,
        )
    assert deposit.status == ledger_pb.DEPOSIT_STATUS_CAPTURED
    await page.reload()
    await family.check_accessibility()
    row = page.locator("tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("$50.00")
    await expect(row).to_contain_text("Paid: the facility will credit it soon")
    await expect(row.get_by_role("link")).to_have_attribute(
        "href", f"/deposits/{deposit.deposit_id}"
    )
    await family.press("Español")
    await expect(page.locator("h1")).to_have_text("Historial de depósitos")
    await expect(row).to_contain_text("Pagado: el centro lo acreditará pronto")
    await expect(row).to_contain_text("50,00")


async def test_on_a_phone_the_used_up_subscription_is_refilled_and_every_page_fits(
    browser: Browser, platform: Platform, axe_source: str, request: pytest.FixtureRequest
) -> None:
    async with browsing(browser, platform, axe_source, request, **PHONE) as phone:
        account_id, credentials = await family_member(phone, platform)
        await subscription_card(platform, account_id, credentials, "pm_card_visa")
        await set_up_subscription(phone, "$10.00")
        # Twenty messages at FAC-DEMO's 50 cents use the balance up (messaging would charge them).
        await asyncio.to_thread(
            charge_wallet,
            platform.ledger,
            ChargeWallet.single(uuid.UUID(account_id), FAC_DEMO, "message", 20, "messages-1"),
        )
        await phone.page.reload()
        await phone.check_accessibility()
        await expect(phone.page.locator("dd[data-state]")).to_have_attribute(
            "data-state", "depleted"
        )
        await phone.press("Refill my subscription")
        await expect(phone.page.get_by_role("status")).to_have_text(
            "Your messaging subscription is funded."
        )
        assert platform.processor.charges(account_id=account_id) == [1000, 1000]
        for path in ("/messaging", "/history/messaging", "/history/deposits"):
            await phone.open(path)
            await phone.fits_the_screen()
        # On an iPhone's screen the messaging history's every column, receipts too, is in view
        # (narrower phones scroll the table within its frame).
        await phone.page.set_viewport_size({"width": 390, "height": 844})
        await phone.open("/history/messaging")
        table = phone.page.locator(".table-wrap")
        wide, shown = await table.evaluate("wrap => [wrap.scrollWidth, wrap.clientWidth]")
        assert wide <= shown, f"the table is {wide - shown}px wider than the phone"
