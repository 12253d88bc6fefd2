"""The portal in a real browser: Debian's Chromium driven by Playwright, the portal served in
the test's event loop in front of a real identity service on the real Kafka and PostgreSQL,
and axe-core checking every page the visitor sees.

Chromium and axe-core are installed by `make test` (`make browser-tools`); without them these
tests fail, they never skip.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from cryptography.fernet import Fernet
from kinlink.commissary.v1 import commissary_pb2 as commissary_pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.ports import FacilityNotFound as CommissaryFacilityNotFound
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import DEMO_RESIDENTS
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import FAC_EAST
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_embedded import demo
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.bus import KafkaBus
from kinlink_kit.residents import ResidentNotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.account_cards import PaymentMethodNotFound
from kinlink_ledger.service_layer.account_cards import check_own_card
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.bootstrap import messaging_service
from kinlink_messaging.domain.ports import FacilityNotFound
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_portal.app import CardIssuer
from kinlink_portal.app import create_app
from kinlink_portal.main import serve_portal
from kinlink_portal.settings import PortalSettings
from kinlink_portal.simulated_room import SimulatedRoom
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.bootstrap import sms_gateway_service
from kinlink_sms.domain.ports import FacilityNotFound as SmsFacilityNotFound
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import visitation_service
from kinlink_visitation.domain.ports import FacilityNotFound as VisitationFacilityNotFound
from kinlink_visitation.service_layer.visitation import Visitation
from playwright.async_api import Browser
from playwright.async_api import Page
from playwright.async_api import async_playwright
from pydantic import SecretStr

from tests.browser.portal import screenshots
from tests.browser.portal.screenshots import Camera
from tests.conftest import ROOT
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.identity.conftest import RecordingMailer
from tests.service_accounts import SERVICE_EMAIL
from tests.service_accounts import SERVICE_PASSWORD
from tests.service_accounts import with_service_account
from tests.streams.identity.test_identity_facility_events import skip_earlier_events

AXE = ROOT / ".cache" / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A generated camera picture and tone, allowed without asking: the video pages' journeys.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
# axe-core's impacts that fail a page (WCAG 2.2 AA rules and axe's best practices).
FAILING_IMPACTS = {"serious", "critical"}
# A small phone's screen, as Playwright's browser context options: `browsing(..., **PHONE)`.
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
DEMO_JAIL_RESIDENTS = [resident for resident in DEMO_RESIDENTS if resident.facility_id == FAC_DEMO]
# The sign-up form's labels, in each language: the visitor finds the inputs by them.
SIGN_UP_LABELS = {
    "en": ("Email address", "Password", "First name", "Last name", "Street address", "City",
           "State", "ZIP code", "Country", "Phone number", "Time zone", "Create my account"),
    "es": ("Correo electrónico", "Contraseña", "Nombre", "Apellido", "Calle y número", "Ciudad",
           "Estado", "Código postal", "País", "Número de teléfono", "Zona horaria",
           "Crear mi cuenta"),
}  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "Debian's chromium is not installed: `make browser-tools` installs it "
            "(apt-get install -y chromium); `make test` does it for you",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing ({AXE.relative_to(ROOT)}): `make browser-tools` fetches it "
            "with npm; `make test` does it for you",
            pytrace=False,
        )
    return AXE.read_text()


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@dataclass
class Portal:
    url: str
    mailer: RecordingMailer
    grpc_address: str  # identity's

    def emailed_link(self, to: str, path: str) -> str:
        """The link in the latest email to `to`, which must open this portal's `path`."""
        link = f"{self.url}/{path}?token={self.mailer.last_token(to)}"
        assert any(link in email.text for email in self.mailer.sent if email.to == to), link
        return link


def identity_settings(
    infra: Infra, database: str, token_keys: TokenKeys, url: str
) -> IdentitySettings:
    """Identity on its own database, its emails linking to the portal at `url`."""
    return IdentitySettings(
        postgres_dsn=infra.postgres_dsn,
        database=database,
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=f"test-portal-identity-{uuid.uuid4().hex[:8]}",
        jwt_public_keys={token_keys.key_id: token_keys.public_pem},
        jwt_private_key=token_keys.private_pem,
        jwt_key_id=token_keys.key_id,
        personal_data_key=Fernet.generate_key().decode(),
        password_time_cost=1,
        password_memory_kib=1024,
        public_url=url,
        bootstrap_operator_email=demo.OPERATOR_EMAIL,
        bootstrap_operator_password=demo.OPERATOR_PASSWORD,
    )


async def skip_earlier_runs(infra: Infra, group: str, *topics: str) -> None:
    # What earlier runs left on the topics is about facilities and accounts this one never knew.
    for topic in topics:
        await skip_earlier_events(infra.kafka_bootstrap, topic, group)


@asynccontextmanager
async def serving_portal(
    address: str,
    port: int,
    card_issuer: CardIssuer | None = None,
    messaging_address: str = "",
    sms_address: str = "",
    commissary_address: str = "",
    visitation_address: str = "",
    clock: Callable[[], float] = time.time,
    video_room: SimulatedRoom | None = None,
) -> AsyncIterator[str]:
    """The portal on `port`, calling the services at the gRPC `address` (messaging at
    `messaging_address`, the SMS gateway at `sms_address`, the commissary at
    `commissary_address` and visitation at `visitation_address`, if others; its `clock`, if
    given; the simulated video provider's room, if any); yields its URL.
    `card_issuer`: the simulated processor's stand-in bank, for the payments a bank checks."""
    portal_settings = PortalSettings(
        identity_target=address,
        ledger_target=address,
        messaging_target=messaging_address or address,
        sms_target=sms_address or address,
        commissary_target=commissary_address or address,
        visitation_target=visitation_address or address,
        cookie_secret=uuid.uuid4().hex * 2,
        secure_cookies=False,  # plain HTTP on 127.0.0.1, as in the embedded mode
    )
    stop, started = asyncio.Event(), asyncio.Future[str]()
    server = asyncio.create_task(
        serve_portal(
            create_app(portal_settings, clock, card_issuer, video_room),
            "127.0.0.1",
            port,
            stop,
            1,
            started,
        )
    )
    try:
        yield await started
    finally:
        stop.set()
        await server


@asynccontextmanager
async def serving_identity(
    infra: Infra, database: str, token_keys: TokenKeys, url: str
) -> AsyncIterator[tuple[str, RecordingMailer]]:
    """Identity on the real Kafka and PostgreSQL, its emails linking to the portal at `url`;
    yields its gRPC address and its mail."""
    settings = identity_settings(infra, database, token_keys, url)
    await skip_earlier_runs(
        infra, settings.consumer_group, FACILITY_EVENTS, LEDGER_EVENTS, COMMISSARY_EVENTS
    )
    bus, mailer = KafkaBus(infra.kafka_bootstrap, client_id="test-portal"), RecordingMailer()
    parts = [identity_service(settings, bus, build_identity(settings, mailer))]
    async with serving(parts, bus, token_keys.verifier()) as address:
        yield address, mailer


@pytest.fixture
async def portal(infra: Infra, fresh_database: str, token_keys: TokenKeys) -> AsyncIterator[Portal]:
    """Identity on the real Kafka and PostgreSQL, and the portal in front of it; identity's
    emails link to the portal's pages."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with (
        serving_identity(infra, fresh_database, token_keys, url) as (address, mailer),
        serving_portal(address, port) as served,
    ):
        assert served == url
        yield Portal(url, mailer, address)


@pytest.fixture
async def demo_facilities(portal: Portal) -> None:
    await seed_demo_facilities(portal.grpc_address)


async def seed_demo_facilities(address: str) -> None:
    """The demo facilities and residents (FAC-DEMO's R-1001 Ada Lovelace, ...), set up by the
    operator identity creates at start."""
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(
            pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
        )
        await demo.seed_facilities(identity, bearer(session.access_token))


async def seed_own_facility(address: str, facility_id: str, **changes: Any) -> None:
    """A facility of this run's own, set up as the demo's Demo County Jail with its residents: the
    ledger hears every run's identity events, and others' runs change FAC-DEMO's settings and
    residents while this one runs. `changes`: settings of its own (e.g. its name)."""
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(
            pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
        )
        operator = bearer(session.access_token)
        settings = settings_message(DEMO_FACILITIES[FAC_DEMO])
        for name, value in changes.items():
            setattr(settings, name, value)
        configuring = pb.ConfigureFacilityRequest(facility_id=facility_id, settings=settings)
        await identity.ConfigureFacility(configuring, metadata=operator)
        for resident in DEMO_JAIL_RESIDENTS:
            booking = resident._replace(facility_id=facility_id)._asdict()
            await identity.BookResident(pb.BookResidentRequest(**booking), metadata=operator)


@dataclass
class Platform(Portal):
    """The portal in front of identity AND the ledger; `ledger` is the ledger's own object, to
    wait for what identity's events tell it. `facility_id`: this run's Demo County Jail.
    `messaging` (its own object) is served at `messaging_address`; the SMS gateway (`sms`, its
    own object) sends through the simulated carrier, which writes each SMS in `sms_folder`."""

    ledger: Ledger
    processor: SimulatedProcessor
    token_keys: TokenKeys
    facility_id: str
    messaging: Messaging
    messaging_address: str
    sms: SmsGateway
    sms_folder: Path

    def code_texted_to(self, number: str) -> str:
        """The last verification code the simulated carrier texted to `number`."""
        return demo.latest_code(self.sms_folder, number)

    async def until_sms_knows(self, account_id: str, facility_id: str, resident_id: str) -> None:
        """The facility's SMS offer and the family member's correspondence with the resident
        reached the SMS gateway's directory (identity's and messaging's events, through Kafka)."""

        async def known() -> bool:
            try:
                offers = self.sms.directory.facility(facility_id).sms_available
            except SmsFacilityNotFound:
                return False
            return offers and self.sms.directory.corresponded(
                uuid.UUID(account_id), facility_id, resident_id
            )

        await eventually(known, timeout=60)

    async def until_messaging_knows_residents(self, facility_id: str) -> None:
        """The facility and its residents, configured and booked in identity, reached
        messaging's directory (through Kafka)."""

        async def known() -> bool:
            try:
                self.messaging.directory.facility(facility_id)
                for resident in DEMO_JAIL_RESIDENTS:
                    self.messaging.directory.resident(facility_id, resident.resident_id)
            except (FacilityNotFound, ResidentNotFound):
                return False
            return True

        await eventually(known, timeout=60)

    async def until_ledger_knows_card(self, email: str, password: str, payment_method: str) -> None:
        """The card a family member added in identity reached the ledger (through Kafka)."""
        await until_ledger_knows_card(self, self.ledger, email, password, payment_method)

    def charged(self) -> int:
        """What the simulated processor charged to cards in all, in cents."""
        return self.processor.captured_total

    async def until_ledger_takes_deposits(self, facility_id: str, resident_id: str) -> None:
        """The facility and its resident, configured and booked in identity, reached the ledger."""
        family = self.token_keys.family(str(uuid.uuid4()))
        quote = ledger_pb.QuoteDepositRequest(
            facility_id=facility_id, resident_id=resident_id, amount_cents=100
        )
        async with grpc.aio.insecure_channel(self.grpc_address) as channel:
            ledger = ledger_pb2_grpc.LedgerServiceStub(channel)

            async def quoted() -> bool:
                try:
                    await ledger.QuoteDeposit(quote, metadata=family)
                except grpc.aio.AioRpcError as error:
                    assert error.code() is grpc.StatusCode.NOT_FOUND, error  # not consumed yet
                    return False
                return True

            await eventually(quoted)


async def until_ledger_knows_card(
    portal: Portal, ledger: Ledger, email: str, password: str, payment_method: str
) -> None:
    """The card a family member added in identity reached `ledger` (through Kafka)."""
    async with grpc.aio.insecure_channel(portal.grpc_address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(pb.LogInRequest(email=email, password=password))

    async def known() -> bool:
        try:
            check_own_card(ledger, session.account.account_id, payment_method)
        except PaymentMethodNotFound:
            return False
        return True

    await eventually(known)


def messaging_settings(infra: Infra, database: str, token_keys: TokenKeys) -> MessagingSettings:
    """Messaging on its own database and consumer group; `ledger_target` and `identity_target`
    are set once they serve."""
    return MessagingSettings(
        postgres_dsn=infra.postgres_dsn,
        database=database,
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=f"test-portal-messaging-{uuid.uuid4().hex[:8]}",
        jwt_public_keys={token_keys.key_id: token_keys.public_pem},
        service_account_email=SERVICE_EMAIL,
        service_account_password=SERVICE_PASSWORD,
        s3_endpoint=infra.s3_endpoint,
        s3_region=infra.s3_region,
        s3_bucket=infra.s3_bucket,
        s3_access_key_id=infra.s3_access_key_id,
        s3_secret_access_key=SecretStr(infra.s3_secret_access_key),
    )


@asynccontextmanager
async def serving_messaging(
    settings: MessagingSettings, address: str, token_keys: TokenKeys
) -> AsyncIterator[tuple[str, Messaging]]:
    """Messaging built by its bootstrap, charging the ledger at `address` as the service account
    identity there signs in (a process of its own: its own bus, its own port). Its images are
    kept in the real object store."""
    settings = settings.model_copy(update={"ledger_target": address, "identity_target": address})
    messaging = build_messaging(settings)
    bus = KafkaBus(settings.kafka_bootstrap or "", client_id="test-portal-messaging")
    async with serving(
        [messaging_service(settings, bus, messaging)], bus, token_keys.verifier()
    ) as served:
        yield served, messaging


def sms_settings(infra: Infra, database: str, token_keys: TokenKeys, data_dir: Path) -> SmsSettings:
    """The SMS gateway on its own database and consumer group, with two Kinlink numbers, its
    simulated carrier writing under `data_dir`; it signs in as the service account messaging
    uses. The addresses of the services it calls are set once they serve."""
    return SmsSettings(
        postgres_dsn=infra.postgres_dsn,
        database=database,
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=f"test-portal-sms-{uuid.uuid4().hex[:8]}",
        jwt_public_keys={token_keys.key_id: token_keys.public_pem},
        data_dir=data_dir,
        sms_numbers=["+13125550700", "+13125550701"],
        service_account_email=SERVICE_EMAIL,
        service_account_password=SERVICE_PASSWORD,
    )


@asynccontextmanager
async def serving_sms(
    settings: SmsSettings, address: str, messaging_address: str, token_keys: TokenKeys
) -> AsyncIterator[tuple[str, SmsGateway]]:
    """The SMS gateway built by its bootstrap, charging the ledger at `address` and reading
    messaging at `messaging_address` (a process of its own: its own bus, its own port)."""
    settings = settings.model_copy(
        update={
            "ledger_target": address,
            "identity_target": address,
            "messaging_target": messaging_address,
        }
    )
    gateway = build_sms_gateway(settings)
    bus = KafkaBus(settings.kafka_bootstrap or "", client_id="test-portal-sms")
    async with serving(
        [sms_gateway_service(settings, bus, gateway)], bus, token_keys.verifier()
    ) as served:
        yield served, gateway


@pytest.fixture
def own_database(infra: Infra) -> Iterator[Callable[[], str]]:
    """Makes databases of this run's own on the real PostgreSQL, dropped after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(f"kinlink_test_{uuid.uuid4().hex[:12]}")
        with psycopg.connect(infra.postgres_url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{made[-1]}"')
        return made[-1]

    yield make
    with psycopg.connect(infra.postgres_url("postgres"), autocommit=True) as conn:
        for database in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
async def platform(
    infra: Infra,
    fresh_database: str,
    token_keys: TokenKeys,
    tmp_path: Path,
    own_database: Callable[[], str],
) -> AsyncIterator[Platform]:
    """Identity and the ledger on the real Kafka and PostgreSQL, each on its own database and
    consumer groups (served together, as two processes would be: all they share is the topics),
    this run's own Demo County Jail set up, and the portal in front of both. Messaging is served
    beside them on a port of its own, charging the ledger as the service account identity signs
    in. The SMS gateway is served beside them too, on its own database, charging the ledger and
    reading messaging as that service account, its simulated carrier writing under `tmp_path`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = with_service_account(identity_settings(infra, fresh_database, token_keys, url))
    ledger_database, messaging_database, sms_database = (own_database() for _ in range(3))
    ledger_settings = LedgerSettings(
        postgres_dsn=infra.postgres_dsn,
        database=ledger_database,
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=f"test-portal-ledger-{uuid.uuid4().hex[:8]}",
        jwt_public_keys={token_keys.key_id: token_keys.public_pem},
    )
    await skip_earlier_runs(
        infra, settings.consumer_group, FACILITY_EVENTS, LEDGER_EVENTS, COMMISSARY_EVENTS
    )
    await skip_earlier_runs(
        infra, ledger_settings.consumer_group, IDENTITY_EVENTS, FACILITY_EVENTS, COMMISSARY_EVENTS
    )
    messaging_config = messaging_settings(infra, messaging_database, token_keys)
    await skip_earlier_runs(infra, messaging_config.consumer_group, IDENTITY_EVENTS)
    sms_config = sms_settings(infra, sms_database, token_keys, tmp_path)
    await skip_earlier_runs(infra, sms_config.consumer_group, IDENTITY_EVENTS, MESSAGING_EVENTS)
    bus, mailer = KafkaBus(infra.kafka_bootstrap, client_id="test-portal"), RecordingMailer()
    processor = SimulatedProcessor()
    ledger = build_ledger(ledger_settings, processor)
    parts = [
        identity_service(settings, bus, build_identity(settings, mailer)),
        ledger_service(ledger_settings, bus, ledger),
    ]
    try:
        async with (
            serving(parts, bus, token_keys.verifier()) as address,
            serving_messaging(messaging_config, address, token_keys) as (
                messaging_address,
                messaging,
            ),
            serving_sms(sms_config, address, messaging_address, token_keys) as (
                sms_address,
                sms,
            ),
        ):
            facility_id = f"FAC-PORTAL-{uuid.uuid4().hex[:8]}"
            await seed_own_facility(address, facility_id)
            async with serving_portal(
                address, port, processor.answer_challenge, messaging_address, sms_address
            ) as served:
                assert served == url
                platform = Platform(
                    url,
                    mailer,
                    address,
                    ledger,
                    processor,
                    token_keys,
                    facility_id,
                    messaging,
                    messaging_address,
                    sms,
                    tmp_path / "sms",
                )
                for resident in DEMO_RESIDENTS:
                    if resident.facility_id == FAC_DEMO:
                        await platform.until_ledger_takes_deposits(
                            facility_id, resident.resident_id
                        )
                await platform.until_messaging_knows_residents(facility_id)
                yield platform
    finally:
        ledger.close()


@dataclass
class Visitor:
    """A person in the browser. Every page they reach is checked with axe-core."""

    page: Page
    portal: Portal
    axe: str
    pages_checked: list[str] = field(default_factory=list)
    camera: Camera | None = None  # with KINLINK_SCREENSHOTS only

    async def open(self, path_or_url: str) -> None:
        url = path_or_url if "://" in path_or_url else self.portal.url + path_or_url
        await self.page.goto(url)
        await self.check_accessibility()

    async def follow(self, link: str) -> None:
        """Follow a link (by its visible name) to the page it leads to."""
        async with self.page.expect_navigation():
            await self.page.get_by_role("link", name=link, exact=True).click()
        await self.check_accessibility()

    async def press(self, button: str) -> None:
        """Press a button (by its visible name) and wait for the page it leads to."""
        async with self.page.expect_navigation():
            await self.page.get_by_role("button", name=button, exact=True).click()
        await self.check_accessibility()

    async def sign_up(
        self, email: str, password: str, language: str = "en", facility: str = ""
    ) -> None:
        """Sign up (for the facility named `facility`, in English, if any)."""
        *inputs, time_zone, button = SIGN_UP_LABELS[language]
        values = (email, password, "Rosa", "Family", "12 Elm Street", "Springfield", "IL", "62701")
        await self.open("/sign-up")
        await self.fill(**dict(zip(inputs, (*values, "US", "+13125550100"), strict=True)))
        await self.page.get_by_label(time_zone).select_option("America/Chicago")
        if facility:
            await self.page.get_by_label("Facility").select_option(label=facility)
        await self.press(button)

    async def log_in(self, email: str, password: str) -> None:
        await self.open("/log-in")
        await self.fill(**{"Email address": email, "Password": password})
        await self.press("Log in")

    async def become_family_member(self, email: str, password: str) -> None:
        """Sign up, activate from the emailed link, log in."""
        await self.sign_up(email, password)
        await self.open(self.portal.emailed_link(email, "activate"))
        await self.press("Activate my account")
        await self.log_in(email, password)

    async def fill(self, **fields: str) -> None:
        """Fill inputs by their labels, as a screen-reader user finds them."""
        for label, value in fields.items():
            await self.page.get_by_label(label, exact=True).fill(value)

    async def check_accessibility(self, shown: str = "") -> None:
        """`shown`: a CSS selector of the part of the page its screenshot is for."""
        # Evaluated over the DevTools protocol, which the page's CSP does not restrict.
        await self.page.evaluate(self.axe)
        violations = await self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            targets: v.nodes.map(n => n.target.join(" "))}))"""
        )
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert failing == [], f"{self.page.url}: {failing}"
        self.pages_checked.append(self.page.url)
        if self.camera:
            await self.camera.shoot(self.page, shown)

    async def fits_the_screen(self) -> None:
        """Nothing on the page is wider than the screen: no sideways scrolling."""
        overflow = await self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{self.page.url} is {overflow}px wider than the screen"

    async def error_beside(self, field_id: str) -> str:
        """The error said for an input, found the way a screen reader finds it: through the
        input's aria-describedby."""
        described_by = await self.page.locator(f'[id="{field_id}"]').get_attribute(
            "aria-describedby"
        )
        assert described_by, f"nothing describes {field_id}"
        errors = [ident for ident in described_by.split() if ident.endswith("-error")]
        assert errors, f"no error tied to {field_id}: {described_by}"
        text = await self.page.locator(f'[id="{errors[0]}"]').text_content()
        return " ".join((text or "").split())


def camera_for(request: pytest.FixtureRequest) -> Camera | None:
    """With screenshots asked for (`make screenshots`), what photographs the test's pages."""
    shots = screenshots.folder()
    return Camera(shots / request.node.originalname.removeprefix("test_")) if shots else None


@asynccontextmanager
async def browsing(
    browser: Browser,
    portal: Portal,
    axe_source: str,
    request: pytest.FixtureRequest,
    **context: Any,
) -> AsyncIterator[Visitor]:
    """A visitor in a browser context of their own (`context`: Playwright's options, e.g. a
    phone's viewport), photographing the pages of `request`'s journey for `make screenshots`.
    Every visitor is made here, so no journey is left out of the screenshots."""
    opened = await browser.new_context(**{"locale": "en-US", **context})
    try:
        yield Visitor(await opened.new_page(), portal, axe_source, camera=camera_for(request))
    finally:
        await opened.close()


@pytest.fixture
async def visitor(
    browser: Browser, portal: Portal, axe_source: str, request: pytest.FixtureRequest
) -> AsyncIterator[Visitor]:
    async with browsing(browser, portal, axe_source, request) as visiting:
        yield visiting


@pytest.fixture
async def family(
    browser: Browser, platform: Platform, axe_source: str, request: pytest.FixtureRequest
) -> AsyncIterator[Visitor]:
    """A visitor of the portal in front of identity and the ledger."""
    async with browsing(browser, platform, axe_source, request) as visiting:
        yield visiting


EAST_OFFICER = ("east.officer@example.com", "an officer's long password")


@pytest.fixture
async def east_officer(portal: Portal, demo_facilities: None) -> tuple[str, str]:
    """An officer of FAC-EAST only (email, password), created by the demo operator."""
    await create_officer(portal.grpc_address, EAST_OFFICER, FAC_EAST)
    return EAST_OFFICER


async def create_officer(address: str, officer: tuple[str, str], facility_id: str) -> None:
    """The demo operator creates an officer (email, password) of `facility_id` only."""
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        operator = await identity.LogIn(
            pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
        )
        await identity.CreateStaffAccount(
            pb.CreateStaffAccountRequest(
                email=officer[0],
                password=officer[1],
                first_name="Olive",
                last_name="Officer",
                roles=["facility_officer"],
                facility_ids=[facility_id],
            ),
            metadata=bearer(operator.access_token),
        )


# The catalog the commissary journeys order from (the CSV an operator imports).
COMMISSARY_CATALOG = (
    b"sku,name,description,category,price_cents,max_per_order\n"
    b"SNK-1,Pretzels,Salted,Snacks,250,4\n"
    b"SNK-2,Cookies,Chocolate chip,Snacks,1500,5\n"
    b"HYG-1,Soap,Unscented,Hygiene,175,2\n"
)
COMMISSARY_ORDER_LIMIT_CENTS = 5000


@dataclass
class CommissaryPlatform(Portal):
    """The portal in front of identity, the ledger and the commissary, the commissary served
    as a process of its own (holding and charging through the ledger as the service account).
    `facility_id` charges orders when its orders post (on Mondays), `pay_now_facility_id` when
    they are placed; both sell COMMISSARY_CATALOG. `commissary` is the service's own object."""

    ledger: Ledger
    processor: SimulatedProcessor
    commissary: Commissary
    commissary_address: str
    facility_id: str
    pay_now_facility_id: str

    def charged(self) -> int:
        """What the simulated processor charged to cards in all, in cents."""
        return self.processor.captured_total

    async def until_ledger_knows_card(self, email: str, password: str, payment_method: str) -> None:
        await until_ledger_knows_card(self, self.ledger, email, password, payment_method)

    async def as_operator(self) -> list[tuple[str, str]]:
        async with grpc.aio.insecure_channel(self.grpc_address) as channel:
            identity = identity_pb2_grpc.IdentityServiceStub(channel)
            login = pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
            return bearer((await identity.LogIn(login)).access_token)

    async def stock(self, facility_id: str) -> None:
        """The operator imports the catalog, once the commissary knows the facility and its
        residents (identity's events, through Kafka)."""

        async def known() -> bool:
            try:
                for resident in DEMO_JAIL_RESIDENTS:
                    self.commissary.residents.require_held(facility_id, resident.resident_id)
                self.commissary.facilities.facility(facility_id)
            except (ResidentNotFound, CommissaryFacilityNotFound):
                return False
            return True

        await eventually(known, timeout=60)
        importing = commissary_pb.ImportCatalogRequest(
            facility_id=facility_id,
            vendor="Keefe",
            csv=COMMISSARY_CATALOG,
            order_limit_cents=COMMISSARY_ORDER_LIMIT_CENTS,
            max_items_per_order=10,
        )
        async with grpc.aio.insecure_channel(self.commissary_address) as channel:
            commissary = commissary_pb2_grpc.CommissaryServiceStub(channel)
            await commissary.ImportCatalog(importing, metadata=await self.as_operator())


def common_settings(infra: Infra, token_keys: TokenKeys) -> dict[str, Any]:
    """What every service of a browser journey is configured with."""
    return {
        "postgres_dsn": infra.postgres_dsn,
        "kafka_bootstrap": infra.kafka_bootstrap,
        "jwt_public_keys": {token_keys.key_id: token_keys.public_pem},
    }


@dataclass
class IdentityAndLedger:
    address: str  # both served there
    mailer: RecordingMailer
    ledger: Ledger
    processor: SimulatedProcessor


@asynccontextmanager
async def serving_identity_and_ledger(
    infra: Infra,
    fresh_database: str,
    token_keys: TokenKeys,
    url: str,
    ledger_database: str,
    *ledger_also_skips: str,
) -> AsyncIterator[IdentityAndLedger]:
    """Identity (emails linking to the portal at `url`) and the ledger served together, each on
    its own database and consumer group, what earlier runs left on the topics they follow
    skipped (the ledger's: identity's, the facilities' and `ledger_also_skips`)."""
    settings = with_service_account(identity_settings(infra, fresh_database, token_keys, url))
    ledger_settings = LedgerSettings(
        database=ledger_database,
        consumer_group=f"test-portal-ledger-{uuid.uuid4().hex[:8]}",
        **common_settings(infra, token_keys),
    )
    await skip_earlier_runs(infra, settings.consumer_group, FACILITY_EVENTS, LEDGER_EVENTS)
    await skip_earlier_runs(
        infra, ledger_settings.consumer_group, IDENTITY_EVENTS, FACILITY_EVENTS, *ledger_also_skips
    )
    bus, mailer = KafkaBus(infra.kafka_bootstrap, client_id="test-portal"), RecordingMailer()
    processor = SimulatedProcessor()
    ledger = build_ledger(ledger_settings, processor)
    parts = [
        identity_service(settings, bus, build_identity(settings, mailer)),
        ledger_service(ledger_settings, bus, ledger),
    ]
    try:
        async with serving(parts, bus, token_keys.verifier()) as address:
            yield IdentityAndLedger(address, mailer, ledger, processor)
    finally:
        ledger.close()


@pytest.fixture
async def commissary_platform(
    infra: Infra,
    fresh_database: str,
    token_keys: TokenKeys,
    own_database: Callable[[], str],
) -> AsyncIterator[CommissaryPlatform]:
    """Identity and the ledger served together, the commissary beside them on a port of its
    own, each on its own database and consumer groups on the real Kafka and PostgreSQL, two
    facilities of this run's own stocked, and the portal in front of them."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    commissary_settings = CommissarySettings(
        database=own_database(),
        consumer_group=f"test-portal-commissary-{uuid.uuid4().hex[:8]}",
        service_account_email=SERVICE_EMAIL,
        service_account_password=SERVICE_PASSWORD,
        **common_settings(infra, token_keys),
    )
    await skip_earlier_runs(
        infra, commissary_settings.consumer_group, IDENTITY_EVENTS, FACILITY_EVENTS, LEDGER_EVENTS
    )
    async with serving_identity_and_ledger(
        infra, fresh_database, token_keys, url, own_database(), COMMISSARY_EVENTS
    ) as served_platform:
        address, mailer = served_platform.address, served_platform.mailer
        ledger, processor = served_platform.ledger, served_platform.processor
        commissary_settings = commissary_settings.model_copy(
            update={"ledger_target": address, "identity_target": address}
        )
        commissary = build_commissary(commissary_settings)
        commissary_bus = KafkaBus(infra.kafka_bootstrap, client_id="test-portal-commissary")
        served_commissary = [commissary_service(commissary_settings, commissary_bus, commissary)]
        async with serving(served_commissary, commissary_bus, token_keys.verifier()) as (
            commissary_address
        ):
            facility_id = f"FAC-PORTAL-{uuid.uuid4().hex[:8]}"
            pay_now_facility_id = f"FAC-PAYNOW-{uuid.uuid4().hex[:8]}"
            await seed_own_facility(address, facility_id)
            await seed_own_facility(
                address,
                pay_now_facility_id,
                name="Pay Now County Jail",
                commissary_payment_mode="pay_at_order",
            )
            async with serving_portal(
                address, port, commissary_address=commissary_address
            ) as served:
                assert served == url
                platform = CommissaryPlatform(
                    url,
                    mailer,
                    address,
                    ledger,
                    processor,
                    commissary,
                    commissary_address,
                    facility_id,
                    pay_now_facility_id,
                )
                for stocked in (facility_id, pay_now_facility_id):
                    await platform.stock(stocked)
                yield platform


@pytest.fixture
async def commissary_family(
    browser: Browser,
    commissary_platform: CommissaryPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Visitor]:
    """A visitor of the portal in front of identity, the ledger and the commissary."""
    async with browsing(browser, commissary_platform, axe_source, request) as visiting:
        yield visiting


# The video journeys' moment: Thursday 2026-03-05 15:00 UTC, three days before the Sunday
# clocks spring forward, the visitation service and the portal both on it.
VIDEO_NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
# The video journeys' facility: in New York, open for visits every day 9 to 12; the visitors
# sign up in Chicago, an hour behind.
VIDEO_FACILITY_ZONE = "America/New_York"
VIDEO_HOURS = [
    pb.VisitingWindow(day=day, opens="09:00", closes="12:00")
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
]


@dataclass
class VisitPlatform(Portal):
    """The portal in front of identity, the ledger and visitation (served as a process of its
    own, its clock `clock`, its video provider the simulated one, whose room the portal's pages
    join), this run's own facility in New York with two video stations."""

    ledger: Ledger
    visitation: Visitation
    visitation_address: str
    facility_id: str
    clock: Clock

    async def until_visitation_knows_residents(self) -> None:
        async def known() -> bool:
            try:
                self.visitation.facilities.facility(self.facility_id)
                for resident in DEMO_JAIL_RESIDENTS:
                    self.visitation.residents.require_held(self.facility_id, resident.resident_id)
            except (VisitationFacilityNotFound, ResidentNotFound):
                return False
            return True

        await eventually(known, timeout=60)


@pytest.fixture
async def visit_platform(
    infra: Infra,
    fresh_database: str,
    token_keys: TokenKeys,
    own_database: Callable[[], str],
) -> AsyncIterator[VisitPlatform]:
    """Identity and the ledger served together, visitation beside them on a port of its own,
    each on its own database and consumer groups on the real Kafka and PostgreSQL, a facility of
    this run's own in New York, and the portal in front of them, its clock and visitation's at
    VIDEO_NOW."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    visitation_settings = VisitationSettings(
        database=own_database(),
        consumer_group=f"test-portal-visitation-{uuid.uuid4().hex[:8]}",
        visit_meter_seconds=0.2,  # minutes charged soon after the clock is moved
        service_account_email=SERVICE_EMAIL,
        service_account_password=SERVICE_PASSWORD,
        **common_settings(infra, token_keys),
    )
    await skip_earlier_runs(infra, visitation_settings.consumer_group, IDENTITY_EVENTS)
    clock = Clock(VIDEO_NOW)
    async with serving_identity_and_ledger(
        infra, fresh_database, token_keys, url, own_database()
    ) as served_platform:
        address = served_platform.address
        visitation_settings = visitation_settings.model_copy(
            update={"ledger_target": address, "identity_target": address}
        )
        rooms = SimulatedRooms(clock=clock)
        visitation = build_visitation(visitation_settings, rooms=rooms)
        visitation.clock = clock
        visitation_bus = KafkaBus(infra.kafka_bootstrap, client_id="test-portal-visitation")
        served = [visitation_service(visitation_settings, visitation_bus, visitation)]
        async with serving(served, visitation_bus, token_keys.verifier()) as visitation_address:
            facility_id = f"FAC-VIDEO-{uuid.uuid4().hex[:8]}"
            await seed_own_facility(
                address,
                facility_id,
                name="Video County Jail",
                time_zone=VIDEO_FACILITY_ZONE,
                video_stations=2,
                video_price_per_minute_cents=20,
            )
            await configure_video_hours(address, facility_id)
            async with serving_portal(
                address,
                port,
                visitation_address=visitation_address,
                clock=lambda: clock().timestamp(),
                video_room=rooms,
            ) as served_url:
                assert served_url == url
                platform = VisitPlatform(
                    url, served_platform.mailer, address, served_platform.ledger, visitation,
                    visitation_address, facility_id, clock,
                )  # fmt: skip
                await platform.until_visitation_knows_residents()
                yield platform


async def configure_video_hours(address: str, facility_id: str) -> None:
    """The facility's visiting hours, every day 9 to 12 (a repeated field: set apart)."""
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(
            pb.LogInRequest(email=demo.OPERATOR_EMAIL, password=demo.OPERATOR_PASSWORD)
        )
        operator = bearer(session.access_token)
        found = await identity.GetFacility(pb.GetFacilityRequest(facility_id=facility_id))
        settings = found.settings
        del settings.visiting_hours[:]
        settings.visiting_hours.extend(VIDEO_HOURS)
        configuring = pb.ConfigureFacilityRequest(facility_id=facility_id, settings=settings)
        await identity.ConfigureFacility(configuring, metadata=operator)


@pytest.fixture
async def visit_family(
    browser: Browser,
    visit_platform: VisitPlatform,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Visitor]:
    """A visitor of the portal in front of identity, the ledger and visitation."""
    async with browsing(browser, visit_platform, axe_source, request) as visiting:
        yield visiting
