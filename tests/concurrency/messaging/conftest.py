"""Messaging processes on the real PostgreSQL and Kafka, charging a real ledger served here over
gRPC through the way `ledger_between` gives, signing in at an identity served here too."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import grpc
import pytest
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import serving
from kinlink_kit.testing.fixtures import new_database
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription
from kinlink_messaging.domain import ids
from prometheus_client.parser import text_string_to_metric_families

from tests.concurrency.messaging.ledger_between import LedgerBetween
from tests.concurrency.messaging.ledger_between import ledger_between
from tests.concurrency.processes import service_env
from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.ledger_facilities import choose_card
from tests.ledger_facilities import configure
from tests.service_accounts import SERVICE_EMAIL
from tests.service_accounts import SERVICE_PASSWORD
from tests.service_accounts import identity_settings_with_service_account
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic

MODULE = "kinlink_messaging.entrypoints.main"
FUNDING = 1000  # $10.00 in the family member's messaging subscription


@dataclass(frozen=True)
class Family:
    """A family member with a funded subscription, writing to one resident of the test's own
    facility (one partition key: its events come in the order they were saved)."""

    account_id: UUID
    facility_id: str
    resident_id: str
    metadata: Metadata  # the family member signed in

    def message_id(self, client_key: str) -> UUID:
        return ids.message_id(self.account_id, client_key)

    def reference(self, client_key: str) -> str:
        return f"message:{self.message_id(client_key)}"

    def send(self, client_key: str, body: str = "Hello from home") -> pb.SendMessageRequest:
        return pb.SendMessageRequest(
            client_key=client_key,
            facility_id=self.facility_id,
            resident_id=self.resident_id,
            body=body,
        )


@pytest.fixture
def messaging_database(infra: Infra) -> Iterator[str]:
    """Messaging's own database, beside the ledger's (`fresh_database`)."""
    with new_database(infra) as name:
        yield name


@pytest.fixture
def family(postgres_ledger: Ledger, token_keys: TokenKeys) -> Family:
    """A family member with a funded subscription at a facility of its own, configured (as
    FAC-DEMO) in the ledger."""
    suffix = uuid.uuid4().hex[:8]
    account_id = uuid.uuid4()
    member = Family(account_id, f"FAC-{suffix}", f"R-{suffix}", token_keys.family(str(account_id)))
    configure(postgres_ledger, facility_configured(member.facility_id, DEMO_FACILITIES[FAC_DEMO]))
    choose_card(postgres_ledger, member.account_id, "pm_card_visa")
    set_up_subscription(
        postgres_ledger, SetUpSubscription(member.account_id, member.facility_id, Cents(FUNDING))
    )
    return member


@pytest.fixture
async def identity_address(tmp_path: Path, token_keys: TokenKeys) -> AsyncIterator[str]:
    """Identity where messaging signs in with its service account."""
    settings = identity_settings_with_service_account(tmp_path / "identity", token_keys)
    bus = InMemoryBus()
    parts = [identity_service(settings, bus, build_identity(settings))]
    async with serving(parts, bus, token_keys.verifier()) as address:
        yield address


@pytest.fixture
async def ledger_way(
    postgres_ledger: Ledger, infra: Infra, fresh_database: str, token_keys: TokenKeys
) -> AsyncIterator[tuple[LedgerBetween, str]]:
    """The ledger served over gRPC, and the way messaging reaches it (with its address)."""
    settings = LedgerSettings(
        postgres_dsn=infra.postgres_dsn, database=fresh_database, kafka_bootstrap=None
    )
    bus = InMemoryBus()
    parts = [ledger_service(settings, bus, postgres_ledger)]
    async with (
        serving(parts, bus, token_keys.verifier()) as ledger,
        ledger_between(ledger) as way,
    ):
        yield way


@dataclass(frozen=True)
class Around:
    """What a messaging process of a test works with: the ledger (read in the test), the family
    member sending, the way to the ledger, and the process's settings."""

    ledger: Ledger
    family: Family
    between: LedgerBetween
    env: dict[str, str]


@pytest.fixture
async def around(
    infra: Infra,
    postgres_ledger: Ledger,
    family: Family,
    messaging_database: str,
    token_keys: TokenKeys,
    identity_address: str,
    ledger_way: tuple[LedgerBetween, str],
    tmp_path: Path,
) -> Around:
    """Its database, the real Kafka (identity's topic read from now on, where identity has
    configured the family's facility and booked its resident), the way to the ledger, identity
    and its service account, its images in a folder (the messages here carry none)."""
    between, way = ledger_way
    env = {
        **service_env(infra, messaging_database, token_keys),
        "KINLINK_DATA_DIR": str(tmp_path),
        "KINLINK_LEDGER_TARGET": way,
        "KINLINK_IDENTITY_TARGET": identity_address,
        "KINLINK_SERVICE_ACCOUNT_EMAIL": SERVICE_EMAIL,
        "KINLINK_SERVICE_ACCOUNT_PASSWORD": SERVICE_PASSWORD.get_secret_value(),
    }
    await skip_earlier_events(infra.kafka_bootstrap, IDENTITY_EVENTS, env["KINLINK_CONSUMER_GROUP"])
    events = [
        facility_configured(family.facility_id, DEMO_FACILITIES[FAC_DEMO]),
        resident_booked(family.facility_id, family.resident_id),
    ]
    key = family.facility_id.encode()  # one partition: the booking after the facility
    await produce(infra.kafka_bootstrap, IDENTITY_EVENTS, [(key, e.to_bytes()) for e in events])
    return Around(postgres_ledger, family, between, env)


def sweeping(env: dict[str, str], metrics_port: int) -> dict[str, str]:
    """`env` with a payment sweep settling what waited a second, and its metrics served."""
    return {
        **env,
        "KINLINK_MESSAGE_PAYMENT_SWEEP_AFTER_SECONDS": "1",
        "KINLINK_MESSAGE_PAYMENT_SWEEP_EVERY_SECONDS": "0.5",
        "KINLINK_METRICS_PORT": str(metrics_port),
    }


async def knows_resident(stub: messaging_pb2_grpc.MessagingServiceStub, family: Family) -> bool:
    """Whether messaging heard from identity of the family's resident: an empty send is then
    refused for its body (it is checked after the resident), charging nothing."""
    try:
        await stub.SendMessage(family.send("probe", body=""), metadata=family.metadata)
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return False
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
        return True
    raise AssertionError("an empty message was accepted")


def settled(metrics_port: int, outcome: str) -> float:
    """How many messages the process's payment sweep settled with `outcome`."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as page:
        text = page.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "kinlink_messages_settled_total"
                and sample.labels.get("outcome") == outcome
            ):
                return sample.value
    return 0.0


def charge_of(ledger: Ledger, family: Family, client_key: str) -> int | None:
    """What the ledger charged for the message sent with `client_key`, or None."""
    charge = ledger.find(
        WalletCharge.create_id(family.account_id, family.reference(client_key)), WalletCharge
    )
    return None if charge is None else int(charge.amount)


def balance(ledger: Ledger, family: Family) -> int:
    wallet = ledger.wallet(family.account_id)
    assert wallet is not None
    return int(wallet.balance)


async def submissions(infra: Infra, family: Family, last_key: str) -> list[UUID]:
    """The messages MessageSubmitted was published for on the real topic, one entry per
    record, read until the one sent with `last_key`: saved after all the others, it is
    published after them and after any of theirs published again."""
    last = family.message_id(last_key)

    def submitted(records: list[object]) -> list[UUID]:
        found = []
        for record in records:
            envelope = Envelope.from_bytes(record.value)  # type: ignore[attr-defined]
            if envelope.type == "MessageSubmitted" and envelope.key == family.resident_id:
                found.append(UUID(envelope.payload["message_id"]))
        return found

    records = await read_topic(
        infra.kafka_bootstrap, MESSAGING_EVENTS, until=lambda rs: last in submitted(rs)
    )
    return submitted(records)
