"""`make run`: the embedded platform seeds its demo through the services, and starts again on
the same data folder without changing or duplicating anything; messaging charges the in-process
ledger as its service account and keeps its images in the data folder; the demo family has SMS
on for Ada, verified with the code the simulated carrier wrote in the data folder; visitation
learns the demo facility from identity and books a video visit there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import grpc
import pytest
from kinlink.commissary.v1 import commissary_pb2 as commissary_pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2 as messaging_pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink.sms.v1 import sms_pb2 as sms_pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink.visitation.v1 import visitation_pb2 as visitation_pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_contracts.demo import FAC_DEMO
from kinlink_embedded import demo
from kinlink_embedded.main import EmbeddedSettings
from kinlink_embedded.main import platform
from kinlink_kit.sqlite_bus import SQLiteBus
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving

from tests.conftest import bearer
from tests.integration.messaging.test_grpc_messages import photo

Metadata = list[tuple[str, str]]


@asynccontextmanager
async def seeded(data_dir: Path) -> AsyncIterator[tuple[grpc.aio.Channel, Metadata]]:
    """The platform started on `data_dir` and seeded: a channel to it and the demo family's
    access token."""
    bus = SQLiteBus.in_folder(data_dir)
    settings = EmbeddedSettings(data_dir=data_dir, grpc_port=free_port())
    parts, verifier = platform(settings, bus)
    async with serving(parts, bus, verifier, settings.grpc_port) as address:
        await demo.seed(address, data_dir / "mail", data_dir / "sms")
        async with grpc.aio.insecure_channel(address) as channel:
            identity = identity_pb2_grpc.IdentityServiceStub(channel)
            session = await identity.LogIn(
                identity_pb.LogInRequest(email=demo.FAMILY_EMAIL, password=demo.FAMILY_PASSWORD)
            )
            yield channel, bearer(session.access_token)


async def start_and_quote(
    data_dir: Path,
) -> tuple[
    int,
    int,
    list[str],
    int,
    list[str],
    list[tuple[str, str]],
    tuple[int, str, int],
    tuple[int, int],
]:
    """Start the platform, seed it, and as the demo family: the fee of a $50 quote at FAC-DEMO
    (confirmed with the demo family's card, as the README does), the number of mails sent so
    far, the residents a search for "Love" finds, the balance of its messaging subscription, the
    residents of its sent messages, (resident, body) of each message in its inbox, and its SMS
    settings for Ada (status, number) with the number of SMS the simulated carrier wrote, and
    FAC-DEMO's commissary catalog (its revision, how many items it offers)."""
    async with seeded(data_dir) as (channel, family):
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        found = await identity.SearchResidents(
            identity_pb.SearchResidentsRequest(last_name="Love"), metadata=family
        )
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        quote = await ledger.QuoteDeposit(
            ledger_pb.QuoteDepositRequest(
                facility_id=FAC_DEMO, resident_id="R-1001", amount_cents=5000
            ),
            metadata=family,
        )
        confirm = ledger_pb.ConfirmDepositRequest(
            quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key="demo"
        )
        deposit = await ledger.ConfirmDeposit(confirm, metadata=family)
        assert deposit.status == ledger_pb.DEPOSIT_STATUS_CAPTURED
        wallet = await ledger.GetWallet(ledger_pb.GetWalletRequest(), metadata=family)
        messaging = messaging_pb2_grpc.MessagingServiceStub(channel)
        sent = await messaging.ListSent(messaging_pb.ListSentRequest(page_size=10), metadata=family)
        inbox = await messaging.ListInbox(
            messaging_pb.ListInboxRequest(page_size=10), metadata=family
        )
        received = [
            await messaging.GetMessage(
                messaging_pb.GetMessageRequest(message_id=m.message_id), metadata=family
            )
            for m in inbox.messages
        ]
        sms = await sms_pb2_grpc.SmsGatewayServiceStub(channel).GetSmsSubscription(
            sms_pb.GetSmsSubscriptionRequest(facility_id=FAC_DEMO, resident_id="R-1001"),
            metadata=family,
        )
        catalog = await commissary_pb2_grpc.CommissaryServiceStub(channel).GetCatalog(
            commissary_pb.GetCatalogRequest(facility_id=FAC_DEMO), metadata=family
        )
    mails = len(list((data_dir / "mail").glob("*.eml")))
    texted = len(list((data_dir / "sms").glob("*.json")))
    return (
        quote.fee_cents,
        mails,
        [r.resident_id for r in found.residents],
        wallet.balance_cents,
        [m.resident_id for m in sent.messages],
        [(m.resident_id, m.body) for m in received],
        (sms.status, sms.phone_number, texted),
        (catalog.revision, sum(item.available for item in catalog.items)),
    )


async def test_the_demo_is_seeded_once_and_survives_a_restart(tmp_path: Path) -> None:
    first = await start_and_quote(tmp_path)
    # One mail: the demo family's activation; its $20.00 subscription paid its message to Ada,
    # whose reply is in its inbox.
    # One SMS: the verification code that turned SMS on for Ada on the family's phone.
    reply = ("R-1001", "Thank you all! I am fine. Tell everyone I said hello.")
    sms_on = (sms_pb.SMS_SUBSCRIPTION_STATUS_ON, demo.FAMILY_PHONE, 1)
    # FAC-DEMO's catalog: the 14 items of the vendor's file, imported once.
    catalog = (1, 14)
    assert first == (595, 1, ["R-1001"], 1950, ["R-1001"], [reply], sms_on, catalog)
    # Started again on the same folder: the same demo, nothing registered, booked, funded,
    # sent or imported twice.
    assert await start_and_quote(tmp_path) == first


async def test_a_family_member_sends_a_photo_charged_by_the_ledger_and_finds_it_sent(
    tmp_path: Path,
) -> None:
    async with seeded(tmp_path) as (channel, family):
        messaging = messaging_pb2_grpc.MessagingServiceStub(channel)
        send = messaging_pb.SendMessageRequest(
            client_key="compose-1",
            facility_id=FAC_DEMO,
            resident_id="R-1002",
            body="Hello from home.",
            images=[photo()],
        )
        message = await messaging.SendMessage(send, metadata=family)
        # FAC-DEMO delivers without review: 50 cents the message, 100 the image.
        assert message.status == messaging_pb.MESSAGE_STATUS_DELIVERED
        assert message.charged_cents == 150
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        wallet = await ledger.GetWallet(ledger_pb.GetWalletRequest(), metadata=family)
        assert wallet.balance_cents == 2000 - 50 - 150  # the demo's message, then this one
        sent = await messaging.ListSent(messaging_pb.ListSentRequest(page_size=10), metadata=family)
        assert message.message_id in [m.message_id for m in sent.messages]
        opened = await messaging.GetMessage(
            messaging_pb.GetMessageRequest(message_id=message.message_id), metadata=family
        )
        assert opened.body == "Hello from home." and len(opened.images) == 1
        image = await messaging.GetImage(
            messaging_pb.GetImageRequest(message_id=message.message_id), metadata=family
        )
    # No object store in the embedded mode: the bytes come back, kept under the data folder.
    assert image.content_type == "image/jpeg" and image.content[:2] == b"\xff\xd8"
    folder = tmp_path / "images" / "messages" / message.message_id
    assert image.content in [path.read_bytes() for path in folder.iterdir()]


async def test_a_family_member_books_a_video_visit_at_the_demo_facility(tmp_path: Path) -> None:
    async with seeded(tmp_path) as (channel, family):
        visitation = visitation_pb2_grpc.VisitationServiceStub(channel)
        # Any day within the horizon has FAC-DEMO's visiting hours, whatever today is.
        day = (datetime.now(ZoneInfo("America/Chicago")) + timedelta(days=3)).date()
        asked = visitation_pb.ListAvailabilityRequest(
            facility_id=FAC_DEMO, resident_id="R-1001", date=day.isoformat(), slot_minutes=30
        )
        found: list[visitation_pb.Availability] = []

        async def heard_of_the_demo() -> bool:
            # Visitation learns FAC-DEMO and its residents from identity's events.
            try:
                found.append(await visitation.ListAvailability(asked, metadata=family))
            except grpc.aio.AioRpcError:
                return False
            return True

        await eventually(heard_of_the_demo)
        first = found[-1].slots[0]
        visit = await visitation.ScheduleVisit(
            visitation_pb.ScheduleVisitRequest(
                visit_id=str(uuid4()),
                facility_id=FAC_DEMO,
                resident_id="R-1001",
                kind=visitation_pb.VISIT_KIND_REMOTE,
                starts_at=first.starts_at,
                slot_minutes=30,
            ),
            metadata=family,
        )
        listed = await visitation.ListVisits(
            visitation_pb.ListVisitsRequest(page_size=10), metadata=family
        )
    assert (visit.status, visit.price_per_minute_cents) == (
        visitation_pb.VISIT_STATUS_SCHEDULED,
        25,
    )
    assert [shown.visit_id for shown in listed.visits] == [visit.visit_id]


async def test_a_demo_family_whose_card_was_not_marked_for_messaging_gets_its_subscription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in a data folder seeded before messaging: the card added but not marked to fund the
    messaging subscription."""

    stub = identity_pb2_grpc.IdentityServiceStub

    def adding_unmarked_cards(channel: grpc.aio.Channel) -> Any:
        identity, add_card = stub(channel), stub(channel).AddCard

        def add_unmarked(request: identity_pb.AddCardRequest, **options: Any) -> Any:
            request.fund_messaging_subscription = False
            return add_card(request, **options)

        identity.AddCard = add_unmarked
        return identity

    monkeypatch.setattr(identity_pb2_grpc, "IdentityServiceStub", adding_unmarked_cards)
    async with seeded(tmp_path) as (channel, family):
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        cards = await identity.ListCards(identity_pb.ListCardsRequest(), metadata=family)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        wallet = await ledger.GetWallet(ledger_pb.GetWalletRequest(), metadata=family)
    assert [card.funds_messaging_subscription for card in cards.cards] == [True]
    assert wallet.balance_cents == 1950  # $20.00 funded, the demo's message paid
