"""Identity and the ledger as two services on the real Kafka and PostgreSQL: a facility an
operator configures through identity's gRPC reaches the ledger as FacilityConfigured, and the
ledger quotes deposits by its settings, then by its changed settings."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
import psycopg
import pytest
from cryptography.fernet import Fernet
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES, FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_identity.bootstrap import IdentitySettings, build_identity, identity_service
from kinlink_kit.bus import KafkaBus
from kinlink_ledger.bootstrap import LedgerSettings, build_ledger, ledger_service

from tests.conftest import Infra, TokenKeys, bearer
from tests.serving import eventually, serving

FACILITY = f"FAC-E2E-{uuid.uuid4().hex[:8]}"  # this run's own: the topic keeps earlier runs'
OPERATOR = ("ops@example.com", "operator-test-password")


@pytest.fixture
async def addresses(infra: Infra, token_keys: TokenKeys) -> AsyncIterator[tuple[str, str]]:
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
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-e2e")
    parts = [
        identity_service(identity_settings, bus, build_identity(identity_settings)),
        ledger_service(ledger_settings, bus, build_ledger(ledger_settings)),
    ]
    try:
        async with serving(parts, bus, token_keys.verifier()) as address:
            yield address, address
    finally:
        with psycopg.connect(infra.postgres_url("postgres"), autocommit=True) as conn:
            for database in databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def test_a_facility_configured_in_identity_sets_the_ledgers_fees_and_limit(
    addresses: tuple[str, str], token_keys: TokenKeys
) -> None:
    identity_address, ledger_address = addresses
    family = token_keys.family(str(uuid.uuid4()))
    settings = DEMO_FACILITIES[FAC_DEMO]
    async with (
        grpc.aio.insecure_channel(identity_address) as identity_channel,
        grpc.aio.insecure_channel(ledger_address) as ledger_channel,
    ):
        identity = identity_pb2_grpc.IdentityServiceStub(identity_channel)
        ledger = ledger_pb2_grpc.LedgerServiceStub(ledger_channel)
        session = await identity.LogIn(
            identity_pb.LogInRequest(email=OPERATOR[0], password=OPERATOR[1])
        )
        operator = bearer(session.access_token)

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

        async def first_revision_arrived() -> bool:
            return await quoted_limit() == 25000

        await eventually(first_revision_arrived, timeout=60)
        await configure(15000)

        async def second_revision_arrived() -> bool:
            return await quoted_limit() == 15000

        await eventually(second_revision_arrived, timeout=60)
