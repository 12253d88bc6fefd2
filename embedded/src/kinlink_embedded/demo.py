"""The demo the embedded mode starts with, made through the identity service as anyone would:
the first operator (from the settings) configures the demo facilities and books their residents;
a demo family member registers, follows the activation link from the mail folder and adds the
card the README's deposits use (`pm_card_visa`): the ledger charges only cards added in identity.
That card funds the family's messaging subscription at FAC-DEMO ($20.00), from which a first
message to Ada Lovelace (R-1001) is paid; FAC-DEMO's system (a facility integration account the
operator creates) posts her reply. The family then turns SMS notifications on for Ada on its
phone, with the code the simulated carrier "texted" (a file under `sms/`). The operator imports
FAC-DEMO's commissary catalog (`demo_catalog.csv`, the vendor's file as `kinlink commissary
catalog import` takes it), so the family can order a commissary pack for Ada.

Every step is idempotent, so a restart on the same data folder changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import grpc
from kinlink.commissary.v1 import commissary_pb2
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink.sms.v1 import sms_pb2
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import DEMO_RESIDENTS
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.grpc_client import refusal_code

OPERATOR_EMAIL = "operator@kinlink.example"
OPERATOR_PASSWORD = "operator-demo-password"
FAMILY_EMAIL = "family@kinlink.example"
FAMILY_PASSWORD = "family-demo-password"
FACILITY_SYSTEM_EMAIL = "facility-system@kinlink.example"
FACILITY_SYSTEM_PASSWORD = "facility-demo-password"
SUBSCRIPTION_FUNDING_CENTS = 2000
# The keys of the demo's first message and its reply: sent again on a restart, each is the same
# message.
WELCOME_CLIENT_KEY = "demo-welcome"
REPLY_CLIENT_KEY = "demo-reply"
Metadata = Sequence[tuple[str, str]]
# How long the seed waits for the ledger to hear of the card identity marked for messaging.
CARD_WAIT_SECONDS = 30.0
# The demo family's phone, where Ada's messages arrive as SMS.
FAMILY_PHONE = "+12175550100"
# How long the seed waits for the SMS gateway to hear of FAC-DEMO's offer and the first message.
SMS_WAIT_SECONDS = 30.0
# FAC-DEMO's commissary vendor, its limits per order, and how long the seed waits for the
# commissary to hear of FAC-DEMO from identity.
DEMO_VENDOR = "Demo Commissary Supply"
DEMO_ORDER_LIMIT_CENTS = 10000
DEMO_MAX_ITEMS_PER_ORDER = 25
CATALOG_WAIT_SECONDS = 30.0
# What the gateway answers until identity's and messaging's events have reached it.
SMS_NOT_YET = frozenset({"facility_not_found", "sms_unavailable", "no_prior_correspondence"})


async def seed(address: str, mail_folder: Path, sms_folder: Path | None = None) -> None:
    """Everything above; SMS too when the simulated carrier's folder is given."""
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        operator = await _logged_in(identity, OPERATOR_EMAIL, OPERATOR_PASSWORD)
        await seed_facilities(identity, operator)
        await _facility_system(identity, operator)
        await _demo_catalog(commissary_pb2_grpc.CommissaryServiceStub(channel), operator)
        await _demo_family(identity, mail_folder)
        family = await _logged_in(identity, FAMILY_EMAIL, FAMILY_PASSWORD)
        await _subscribed(identity, ledger_pb2_grpc.LedgerServiceStub(channel), family)
        messaging = messaging_pb2_grpc.MessagingServiceStub(channel)
        await _first_message(messaging, family)
        await _first_reply(identity, messaging, family)
        if sms_folder is not None:
            await _sms_on(sms_pb2_grpc.SmsGatewayServiceStub(channel), family, sms_folder)


async def _logged_in(
    identity: identity_pb2_grpc.IdentityServiceStub, email: str, password: str
) -> Metadata:
    session = await identity.LogIn(pb.LogInRequest(email=email, password=password))
    return (("authorization", f"Bearer {session.access_token}"),)


async def seed_facilities(
    identity: identity_pb2_grpc.IdentityServiceStub, operator: Metadata
) -> None:
    """The demo facilities and their residents, configured and booked by an operator."""
    for facility_id, settings in DEMO_FACILITIES.items():
        await identity.ConfigureFacility(
            pb.ConfigureFacilityRequest(
                facility_id=facility_id, settings=settings_message(settings)
            ),
            metadata=operator,
        )
    for resident in DEMO_RESIDENTS:
        await _unless_exists(
            identity.BookResident(pb.BookResidentRequest(**resident._asdict()), metadata=operator)
        )


async def _facility_system(
    identity: identity_pb2_grpc.IdentityServiceStub, operator: Metadata
) -> None:
    """FAC-DEMO's system, which posts its residents' replies (a facility integration)."""
    await _unless_exists(
        identity.CreateStaffAccount(
            pb.CreateStaffAccountRequest(
                email=FACILITY_SYSTEM_EMAIL,
                password=FACILITY_SYSTEM_PASSWORD,
                first_name="Demo County Jail",
                last_name="Messaging system",
                roles=["facility_integration"],
                facility_ids=[FAC_DEMO],
            ),
            metadata=operator,
        )
    )


async def _demo_family(identity: identity_pb2_grpc.IdentityServiceStub, mail_folder: Path) -> None:
    home = pb.PostalAddress(
        line1="1 Main St", city="Springfield", region="IL", postal_code="62701", country="US"
    )
    registered = await _unless_exists(
        identity.Register(
            pb.RegisterRequest(
                email=FAMILY_EMAIL,
                password=FAMILY_PASSWORD,
                first_name="Demo",
                last_name="Family",
                address=home,
                phone="+12175550100",
                time_zone="America/Chicago",
            )
        )
    )
    if registered is not None:
        await identity.Activate(pb.TokenRequest(token=_latest_token(mail_folder, FAMILY_EMAIL)))
        await identity.AddCard(
            pb.AddCardRequest(
                payment_method="pm_card_visa",
                billing_address=home,
                fund_messaging_subscription=True,
            ),
            metadata=await _logged_in(identity, FAMILY_EMAIL, FAMILY_PASSWORD),
        )


async def _subscribed(
    identity: identity_pb2_grpc.IdentityServiceStub,
    ledger: ledger_pb2_grpc.LedgerServiceStub,
    family: Metadata,
) -> None:
    """The demo family's messaging subscription at FAC-DEMO, set up and funded unless it has
    one. A data folder seeded before messaging existed has the card but not marked for the
    subscription: it is marked first. The ledger learns of the marked card from identity's
    events: until then it answers `subscription_card_missing`, and the seed waits."""
    try:
        await ledger.GetWallet(ledger_pb2.GetWalletRequest(), metadata=family)
        return
    except grpc.aio.AioRpcError as error:
        if refusal_code(error) != "subscription_not_found":
            raise
    cards = (await identity.ListCards(pb.ListCardsRequest(), metadata=family)).cards
    if not any(card.funds_messaging_subscription for card in cards):
        await identity.EditCard(
            pb.EditCardRequest(
                card_id=cards[0].card_id,
                fields=["fund_messaging_subscription"],
                fund_messaging_subscription=True,
            ),
            metadata=family,
        )
    request = ledger_pb2.SetUpSubscriptionRequest(
        facility_id=FAC_DEMO, funding_amount_cents=SUBSCRIPTION_FUNDING_CENTS
    )
    deadline = asyncio.get_running_loop().time() + CARD_WAIT_SECONDS
    while True:
        try:
            await ledger.SetUpSubscription(request, metadata=family)
            return
        except grpc.aio.AioRpcError as error:
            waiting = refusal_code(error) == "subscription_card_missing"
            if not waiting or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(0.1)


async def _first_message(
    messaging: messaging_pb2_grpc.MessagingServiceStub, family: Metadata
) -> None:
    """The demo family's message to Ada Lovelace, paid from its subscription."""
    await messaging.SendMessage(
        messaging_pb2.SendMessageRequest(
            client_key=WELCOME_CLIENT_KEY,
            facility_id=FAC_DEMO,
            resident_id="R-1001",
            body="Hi Ada, everyone at home sends their love. Write back when you can!",
        ),
        metadata=family,
    )


async def _first_reply(
    identity: identity_pb2_grpc.IdentityServiceStub,
    messaging: messaging_pb2_grpc.MessagingServiceStub,
    family: Metadata,
) -> None:
    """Ada Lovelace's answer, posted by FAC-DEMO's system as a facility's system does."""
    account = await identity.GetAccount(pb.GetAccountRequest(), metadata=family)
    await messaging.PostReply(
        messaging_pb2.PostReplyRequest(
            client_key=REPLY_CLIENT_KEY,
            facility_id=FAC_DEMO,
            resident_id="R-1001",
            account_id=account.account_id,
            body="Thank you all! I am fine. Tell everyone I said hello.",
        ),
        metadata=await _logged_in(identity, FACILITY_SYSTEM_EMAIL, FACILITY_SYSTEM_PASSWORD),
    )


async def _sms_on(
    sms: sms_pb2_grpc.SmsGatewayServiceStub, family: Metadata, sms_folder: Path
) -> None:
    """SMS notifications on for Ada Lovelace on the demo family's phone, unless they were set
    up already (then the family member's choice stands; a verification a stop interrupted is
    finished). The code is read from the simulated carrier's folder, as the family member would
    read it on their phone."""
    where = {"facility_id": FAC_DEMO, "resident_id": "R-1001"}
    try:
        current = await sms.GetSmsSubscription(
            sms_pb2.GetSmsSubscriptionRequest(**where), metadata=family
        )
        if current.status != sms_pb2.SMS_SUBSCRIPTION_STATUS_VERIFYING:
            return
    except grpc.aio.AioRpcError as error:
        if refusal_code(error) != "sms_subscription_not_found":
            raise
        await _start_verification(sms, family, where)
    code = latest_code(sms_folder, FAMILY_PHONE)
    confirming = sms_pb2.ConfirmVerificationRequest(**where, code=code)
    await sms.ConfirmVerification(confirming, metadata=family)


async def _start_verification(
    sms: sms_pb2_grpc.SmsGatewayServiceStub, family: Metadata, where: dict[str, str]
) -> None:
    """The code texted to the family's phone, once the gateway knows FAC-DEMO offers SMS and
    the family wrote to Ada (from identity's and messaging's events: until then it refuses, and
    the seed waits)."""
    starting = sms_pb2.StartVerificationRequest(
        **where, phone_number=FAMILY_PHONE, consent_version=CURRENT_SMS_CONSENT_VERSION
    )
    deadline = asyncio.get_running_loop().time() + SMS_WAIT_SECONDS
    while True:
        try:
            await sms.StartVerification(starting, metadata=family)
            return
        except grpc.aio.AioRpcError as error:
            waiting = refusal_code(error) in SMS_NOT_YET
            if not waiting or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(0.1)


async def _demo_catalog(
    commissary: commissary_pb2_grpc.CommissaryServiceStub, operator: Metadata
) -> None:
    """FAC-DEMO's catalog, imported once: the commissary refuses it until identity's event about
    FAC-DEMO has reached it, and the seed waits."""
    try:
        await commissary.GetCatalog(
            commissary_pb2.GetCatalogRequest(facility_id=FAC_DEMO), metadata=operator
        )
        return
    except grpc.aio.AioRpcError as error:
        if refusal_code(error) != "catalog_not_found":
            raise
    importing = commissary_pb2.ImportCatalogRequest(
        facility_id=FAC_DEMO,
        vendor=DEMO_VENDOR,
        csv=files("kinlink_embedded").joinpath("demo_catalog.csv").read_bytes(),
        order_limit_cents=DEMO_ORDER_LIMIT_CENTS,
        max_items_per_order=DEMO_MAX_ITEMS_PER_ORDER,
    )
    deadline = asyncio.get_running_loop().time() + CATALOG_WAIT_SECONDS
    while True:
        try:
            await commissary.ImportCatalog(importing, metadata=operator)
            return
        except grpc.aio.AioRpcError as error:
            waiting = refusal_code(error) == "facility_not_found"
            if not waiting or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(0.1)


def latest_code(sms_folder: Path, to: str) -> str:
    """The six digits of the last verification code the simulated carrier sent to `to`."""
    texted = sorted(sms_folder.glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
    for path in reversed(texted):
        sms = json.loads(path.read_text(encoding="utf-8"))
        found = re.search(r"\b(\d{6})\b", sms["body"])
        if sms["to"] == to and sms["reference"].startswith("code:") and found:
            return found.group(1)
    raise RuntimeError(f"no verification code to {to} in {sms_folder}")


async def _unless_exists(call: grpc.aio.UnaryUnaryCall) -> object | None:  # type: ignore[type-arg]
    """The call's answer, or None when what it would create is there already."""
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        if error.code() is grpc.StatusCode.ALREADY_EXISTS:
            return None
        raise


def _latest_token(mail_folder: Path, to: str) -> str:
    for path in sorted(mail_folder.glob("*.eml"), reverse=True):
        text = path.read_text()
        if f"To: {to}" in text and (match := re.search(r"token=([A-Za-z0-9_\-]+)", text)):
            return match.group(1)
    raise RuntimeError(f"no activation email to {to} in {mail_folder}")
