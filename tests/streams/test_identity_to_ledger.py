"""Identity and the ledger as two services on the real Kafka and PostgreSQL: a facility an
operator configures through identity's gRPC reaches the ledger as FacilityConfigured, and the
ledger quotes deposits by its settings, then by its changed settings; the card a family member
marks to fund the messaging subscription reaches the ledger, and so does its replacement; and
back: a subscription the family disables in the ledger frees its card in identity, where the
family can then remove it (requirements "Edit Payment Method")."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from cryptography.fernet import Fernet
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refusal_of
from kinlink_kit.testing import refused_over_grpc
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.subscription_card import SubscriptionCard
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.identity_grpc import EMAIL
from tests.identity_grpc import FAILED_PRECONDITION
from tests.identity_grpc import HOME
from tests.identity_grpc import log_in
from tests.identity_grpc import registration
from tests.integration.identity.conftest import RecordingMailer
from tests.streams.identity.test_identity_facility_events import skip_earlier_events

FACILITY = f"FAC-E2E-{uuid.uuid4().hex[:8]}"  # this run's own: the topic keeps earlier runs'
OPERATOR = ("ops@example.com", "operator-test-password")


@dataclass
class Platform:
    address: str
    ledger: Ledger
    mailer: RecordingMailer


@pytest.fixture
async def platform(infra: Infra, token_keys: TokenKeys) -> AsyncIterator[Platform]:
    """Identity and the ledger, each on its own database and consumer groups, served together
    (one process, as two would be: all they share is the Kafka topics)."""
    databases = [f"kinlink_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with psycopg.connect(infra.postgres_url("postgres"), autocommit=True) as conn:
        for database in databases:
            conn.execute(f'CREATE DATABASE "{database}"')
    common = {
        "postgres_dsn": infra.postgres_dsn,
        "kafka_bootstrap": infra.kafka_bootstrap,
        "jwt_public_keys": {token_keys.key_id: token_keys.public_pem},
    }
    identity_settings = IdentitySettings(
        **common,
        database=databases[0],
        consumer_group=f"test-identity-{uuid.uuid4().hex[:8]}",
        jwt_private_key=token_keys.private_pem,
        jwt_key_id=token_keys.key_id,
        personal_data_key=Fernet.generate_key().decode(),
        password_time_cost=1,
        password_memory_kib=1024,
        bootstrap_operator_email=OPERATOR[0],
        bootstrap_operator_password=OPERATOR[1],
    )
    ledger_settings = LedgerSettings(
        **common, database=databases[1], consumer_group=f"test-ledger-{uuid.uuid4().hex[:8]}"
    )
    # Earlier runs' subscriptions are of accounts this identity never heard of.
    await skip_earlier_events(
        infra.kafka_bootstrap, LEDGER_EVENTS, identity_settings.consumer_group
    )
    bus, mailer = KafkaBus(infra.kafka_bootstrap, client_id="test-e2e"), RecordingMailer()
    ledger = build_ledger(ledger_settings)
    parts = [
        identity_service(identity_settings, bus, build_identity(identity_settings, mailer)),
        ledger_service(ledger_settings, bus, ledger),
    ]
    try:
        async with serving(parts, bus, token_keys.verifier()) as address:
            yield Platform(address, ledger, mailer)
    finally:
        with psycopg.connect(infra.postgres_url("postgres"), autocommit=True) as conn:
            for database in databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def operator_session(identity: identity_pb2_grpc.IdentityServiceStub) -> Metadata:
    session = await identity.LogIn(
        identity_pb.LogInRequest(email=OPERATOR[0], password=OPERATOR[1])
    )
    return bearer(session.access_token)


async def test_a_facility_configured_in_identity_sets_the_ledgers_fees_and_limit(
    platform: Platform, token_keys: TokenKeys
) -> None:
    family = token_keys.family(str(uuid.uuid4()))
    settings = DEMO_FACILITIES[FAC_DEMO]
    async with grpc.aio.insecure_channel(platform.address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        operator = await operator_session(identity)

        async def configure(weekly_limit_cents: int) -> None:
            changed = settings.model_copy(update={"weekly_deposit_limit_cents": weekly_limit_cents})
            await identity.ConfigureFacility(
                identity_pb.ConfigureFacilityRequest(
                    facility_id=FACILITY, settings=settings_message(changed)
                ),
                metadata=operator,
            )

        async def quoted_limit() -> int | None:
            try:
                quote = await ledger.QuoteDeposit(
                    ledger_pb.QuoteDepositRequest(
                        facility_id=FACILITY, resident_id="R-1", amount_cents=5000
                    ),
                    metadata=family,
                )
            except grpc.aio.AioRpcError as error:
                assert error.code() is grpc.StatusCode.NOT_FOUND  # not consumed yet
                return None
            assert quote.fee_cents == 595  # the FAC-DEMO tier for $50
            return quote.weekly_limit_cents

        await configure(25000)
        await identity.BookResident(
            identity_pb.BookResidentRequest(
                facility_id=FACILITY, resident_id="R-1", first_name="Ada", last_name="Lovelace"
            ),
            metadata=operator,
        )

        async def first_revision_arrived() -> bool:
            return await quoted_limit() == 25000

        await eventually(first_revision_arrived, timeout=60)
        await configure(15000)

        async def second_revision_arrived() -> bool:
            return await quoted_limit() == 15000

        await eventually(second_revision_arrived, timeout=60)


async def test_a_resident_booked_in_identity_takes_deposits_until_released(
    platform: Platform, token_keys: TokenKeys
) -> None:
    facility, resident = f"{FACILITY}-B", "R-7"
    family = token_keys.family(str(uuid.uuid4()))
    async with grpc.aio.insecure_channel(platform.address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        operator = await operator_session(identity)
        await identity.ConfigureFacility(
            identity_pb.ConfigureFacilityRequest(
                facility_id=facility, settings=settings_message(DEMO_FACILITIES[FAC_DEMO])
            ),
            metadata=operator,
        )
        await identity.BookResident(
            identity_pb.BookResidentRequest(
                facility_id=facility, resident_id=resident, first_name="Ada", last_name="Byron"
            ),
            metadata=operator,
        )

        async def refusal() -> str | None:
            """Why the ledger refuses a $50 deposit to the resident, or None if it quotes it."""
            try:
                await ledger.QuoteDeposit(
                    ledger_pb.QuoteDepositRequest(
                        facility_id=facility, resident_id=f" {resident} ", amount_cents=5000
                    ),
                    metadata=family,
                )
            except grpc.aio.AioRpcError as error:
                return refusal_of(error).reason
            return None

        async def depositable() -> bool:
            return await refusal() is None

        await eventually(depositable, timeout=60)
        await identity.ReleaseResident(
            identity_pb.ReleaseResidentRequest(facility_id=facility, resident_id=resident),
            metadata=operator,
        )

        async def refused_as_released() -> bool:
            return await refusal() == "resident_released"

        await eventually(refused_as_released, timeout=60)


async def test_the_card_funding_the_messaging_subscription_reaches_the_ledger(
    platform: Platform,
) -> None:
    async with grpc.aio.insecure_channel(platform.address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        registered = await identity.Register(registration())
        await identity.Activate(identity_pb.TokenRequest(token=platform.mailer.last_token(EMAIL)))
        session = await identity.LogIn(log_in())
        family = bearer(session.access_token)

        async def fund_with(payment_method: str) -> str:
            card = await identity.AddCard(
                identity_pb.AddCardRequest(
                    payment_method=payment_method,
                    billing_address=HOME,
                    fund_messaging_subscription=True,
                ),
                metadata=family,
            )
            return card.card_id

        def funding_card() -> SubscriptionCard | None:
            account_id = uuid.UUID(registered.account_id)
            return platform.ledger.find(SubscriptionCard.create_id(account_id), SubscriptionCard)

        for payment_method in ("pm_card_visa", "pm_card_mastercard"):
            card_id = await fund_with(payment_method)

            async def the_ledger_knows(
                card_id: str = card_id, method: str = payment_method
            ) -> bool:
                card = funding_card()
                return card is not None and (str(card.card_id), card.payment_method) == (
                    card_id,
                    method,
                )

            await eventually(the_ledger_knows, timeout=60)


async def test_disabling_the_subscription_in_the_ledger_frees_its_card_in_identity(
    platform: Platform,
) -> None:
    async with grpc.aio.insecure_channel(platform.address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        session = await identity.LogIn(
            identity_pb.LogInRequest(email=OPERATOR[0], password=OPERATOR[1])
        )
        await identity.ConfigureFacility(
            identity_pb.ConfigureFacilityRequest(
                facility_id=FACILITY, settings=settings_message(DEMO_FACILITIES[FAC_DEMO])
            ),
            metadata=bearer(session.access_token),
        )
        await identity.Register(registration())
        await identity.Activate(identity_pb.TokenRequest(token=platform.mailer.last_token(EMAIL)))
        family = bearer((await identity.LogIn(log_in())).access_token)
        card = await identity.AddCard(
            identity_pb.AddCardRequest(
                payment_method="pm_card_visa",
                billing_address=HOME,
                fund_messaging_subscription=True,
            ),
            metadata=family,
        )
        set_up = ledger_pb.SetUpSubscriptionRequest(facility_id=FACILITY, funding_amount_cents=1000)

        async def subscribed() -> bool:
            try:
                result = await ledger.SetUpSubscription(set_up, metadata=family)
            except grpc.aio.AioRpcError as error:
                # The facility or the card has not reached the ledger yet.
                reason = refusal_of(error).reason
                assert reason in {"facility_not_found", "subscription_card_missing"}, reason
                return False
            assert result.status == ledger_pb.FUNDING_STATUS_FUNDED
            return True

        await eventually(subscribed, timeout=60)
        remove = identity_pb.RemoveCardRequest(card_id=card.card_id)
        await refused_over_grpc(
            identity.RemoveCard(remove, metadata=family),
            FAILED_PRECONDITION,
            "card_funds_messaging_subscription",
            "card_id",
        )
        await ledger.DisableSubscription(ledger_pb.DisableSubscriptionRequest(), metadata=family)

        async def removed() -> bool:
            try:
                await identity.RemoveCard(remove, metadata=family)
            except grpc.aio.AioRpcError as error:
                assert refusal_of(error).reason == "card_funds_messaging_subscription"
                return False  # MessagingSubscriptionDisabled has not reached identity yet
            return True

        await eventually(removed, timeout=60)
        cards = await identity.ListCards(identity_pb.ListCardsRequest(), metadata=family)
        assert list(cards.cards) == []
        # The ledger released the card too: a new subscription needs a card marked again.
        await refused_over_grpc(
            ledger.SetUpSubscription(set_up, metadata=family),
            FAILED_PRECONDITION,
            "subscription_card_missing",
        )
