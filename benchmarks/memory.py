"""`make bench`: the peak resident memory (VmHWM) of every service process, and of the embedded
mode, each after a short workload through its gRPC API, beside its target.

  1. the six services each in its own process on the real Kafka, PostgreSQL, object store and
     LiveKit, as deployed: identity (where the others sign in with their service accounts) books
     the run's facility and residents as an operator asks it to, and they reach the others
     through its topic; then for BENCH_SECONDS each: deposits quoted and confirmed at the
     ledger, messages (and a few phone photos) sent through messaging, each charged at the
     ledger, SMS previews and histories at the gateway, allowances held on cards through the
     commissary, video visits booked at visitation;
  2. the embedded mode (`make run`: every service and the portal in one process, on SQLite, no
     servers) in a folder of its own: the demo it seeds, then residents booked, deposits,
     messages, searches and visit availability through its gRPC API, and the portal's public
     pages.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import httpx
from cryptography.fernet import Fernet
from kinlink.commissary.v1 import commissary_pb2
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink.identity.v1 import identity_pb2
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink.sms.v1 import sms_pb2
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink.visitation.v1 import visitation_pb2
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import card_added
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_embedded import demo
from kinlink_kit.auth import Role

from benchmarks.deposits import FACILITY
from benchmarks.deposits import KEY_ID
from benchmarks.deposits import PRIVATE_KEY
from benchmarks.deposits import PUBLIC_KEY
from benchmarks.deposits import Stubs
from benchmarks.deposits import metadata_of
from benchmarks.deposits import publish_identity_events
from benchmarks.harness import SECONDS
from benchmarks.harness import TARGET_RSS_MB
from benchmarks.harness import LoopResult
from benchmarks.harness import ServiceProcess
from benchmarks.harness import closed_loop
from benchmarks.harness import create_database
from benchmarks.harness import free_port
from benchmarks.harness import infra_env
from benchmarks.harness import peak_rss_mb
from benchmarks.messaging import FACILITY_SETTINGS
from benchmarks.messaging import IMAGES_PER_WALLET
from benchmarks.messaging import MESSAGES_PER_WALLET
from benchmarks.messaging import RESIDENTS
from benchmarks.messaging import Senders
from benchmarks.messaging import messages
from benchmarks.messaging import phone_photo
from benchmarks.messaging import resident
from benchmarks.messaging import wait_ready
from benchmarks.messaging import wallets
from benchmarks.wallet import choose_cards
from benchmarks.wallet import set_up_wallets

TARGET_EMBEDDED_MB = 500
CONCURRENCY = 8  # callers at once: enough to fill each service's pools and worker threads
PHOTOS = 4  # phone photos sent through messaging, two at a time (each 36 MB of pixels)
FAMILIES = 200  # family members with a card, depositing, holding allowances, booking visits
OPERATOR_EMAIL = "operator@bench.kinlink.example"
OPERATOR_PASSWORD = secrets.token_urlsafe(24)
# Each platform service signs in to identity as its own account.
ACCOUNTS = {
    name: (f"{name}@bench.kinlink.example", secrets.token_urlsafe(24))
    for name in ("messaging", "sms-gateway", "commissary", "visitation")
}
READY_SECONDS = 300
Metadata = list[tuple[str, str]]


def family(i: int) -> Metadata:
    return metadata_of(str(family_account(i)), Role.FAMILY_MEMBER)


def family_account(i: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"kinlink-bench/memory-family-{i % FAMILIES}")


def signed_in_as(name: str, identity: str, ledger: str) -> dict[str, str]:
    """A platform service's settings: the ledger it charges through, identity it signs in to."""
    email, password = ACCOUNTS[name]
    return {
        "KINLINK_JWT_PUBLIC_KEYS": json.dumps({KEY_ID: PUBLIC_KEY}),
        "KINLINK_LEDGER_TARGET": ledger,
        "KINLINK_IDENTITY_TARGET": identity,
        "KINLINK_SERVICE_ACCOUNT_EMAIL": email,
        "KINLINK_SERVICE_ACCOUNT_PASSWORD": password,
    }


def start_services(env: dict[str, str], data_dir: Path) -> dict[str, ServiceProcess]:
    """The six services, each in its own process and database; ports are chosen in turn, so
    the ones the others call are started first."""
    identity = ServiceProcess.start(
        "kinlink_identity.entrypoints.main",
        env,
        create_database(env, "identity"),
        {
            "KINLINK_JWT_PRIVATE_KEY": PRIVATE_KEY,
            "KINLINK_JWT_KEY_ID": KEY_ID,
            "KINLINK_JWT_PUBLIC_KEYS": json.dumps({KEY_ID: PUBLIC_KEY}),
            "KINLINK_PERSONAL_DATA_KEY": Fernet.generate_key().decode(),
            "KINLINK_BOOTSTRAP_OPERATOR_EMAIL": OPERATOR_EMAIL,
            "KINLINK_BOOTSTRAP_OPERATOR_PASSWORD": OPERATOR_PASSWORD,
            "KINLINK_SERVICE_ACCOUNTS": json.dumps(dict(ACCOUNTS.values())),
            "KINLINK_MAIL_BACKEND": "folder",
            "KINLINK_DATA_DIR": str(data_dir / "identity"),
        },
    )
    ledger = ServiceProcess.start(
        "kinlink_ledger.entrypoints.main",
        env,
        create_database(env, "ledger"),
        {"KINLINK_JWT_PUBLIC_KEYS": json.dumps({KEY_ID: PUBLIC_KEY})},
    )
    sms_port = free_port()
    messaging = ServiceProcess.start(
        "kinlink_messaging.entrypoints.main",
        env,
        create_database(env, "messaging"),
        {
            **signed_in_as("messaging", identity.address, ledger.address),
            "KINLINK_SMS_GATEWAY_TARGET": f"127.0.0.1:{sms_port}",
        },
    )
    sms = ServiceProcess.start(
        "kinlink_sms.entrypoints.main",
        env,
        create_database(env, "sms"),
        {
            **signed_in_as("sms-gateway", identity.address, ledger.address),
            "KINLINK_GRPC_PORT": str(sms_port),
            "KINLINK_MESSAGING_TARGET": messaging.address,
            "KINLINK_SMS_NUMBERS": json.dumps(["+13125550700", "+13125550701"]),
            "KINLINK_DATA_DIR": str(data_dir / "sms"),
        },
    )
    sms.address = f"127.0.0.1:{sms_port}"  # the port messaging was given, not the one drawn
    commissary = ServiceProcess.start(
        "kinlink_commissary.entrypoints.main",
        env,
        create_database(env, "commissary"),
        signed_in_as("commissary", identity.address, ledger.address),
    )
    visitation = ServiceProcess.start(
        "kinlink_visitation.entrypoints.main",
        env,
        create_database(env, "visitation"),
        signed_in_as("visitation", identity.address, ledger.address),
    )
    return {
        "identity": identity,
        "ledger": ledger,
        "messaging": messaging,
        "sms-gateway": sms,
        "commissary": commissary,
        "visitation": visitation,
    }


async def answered(what: str, call: Callable[[], Awaitable[object]]) -> None:
    """Until `call` is answered: the service has heard of what identity published."""
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            await call()
            return
        except grpc.aio.AioRpcError as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} never ready: {error.code().name}") from error
            await asyncio.sleep(0.5)


async def first_for_each(what: str, call: Callable[[int], Awaitable[object]], count: int) -> None:
    """`call(i)` for each i < count, each until answered: until the service has heard of every
    resident and card identity published. They come on several partitions, so the last one
    published is not the last one applied."""
    print(f"{what}: a first call for each resident", flush=True)
    await asyncio.gather(*(answered(what, functools.partial(call, i)) for i in range(count)))


def done(what: str, result: LoopResult) -> str:
    """The loop's figures; a failed call fails the run."""
    if result.failures:
        raise RuntimeError(f"{what} failed: {dict(result.failures)}")
    return f"{result.completed:,} {what} ({result.rate:,.0f}/s, {result.latency()})"


async def log_in(
    stub: identity_pb2_grpc.IdentityServiceStub, email: str, password: str
) -> Metadata:
    session = await stub.LogIn(identity_pb2.LogInRequest(email=email, password=password))
    return [("authorization", f"Bearer {session.access_token}")]


async def identity_workload(
    stub: identity_pb2_grpc.IdentityServiceStub,
    operator: Metadata,
    facility: str,
    residents: list[str],
    searcher: Metadata,
) -> list[str]:
    """Residents booked by the operator, then searched for: (figures)."""

    async def book(i: int) -> None:
        await stub.BookResident(
            identity_pb2.BookResidentRequest(
                facility_id=facility,
                resident_id=residents[i],
                first_name=f"Res{i}",
                last_name=f"Memoryton{i % 20:02d}",
            ),
            metadata=operator,
        )

    async def search(i: int) -> None:
        await stub.SearchResidents(
            identity_pb2.SearchResidentsRequest(last_name="Memo"), metadata=searcher
        )

    print(f"identity: booking {len(residents)} residents, then searching", flush=True)
    booked = await closed_loop(
        "booked", book, seconds=float("inf"), concurrency=CONCURRENCY, limit=len(residents)
    )
    searched = await closed_loop("searched", search, concurrency=CONCURRENCY)
    return [done("booked", booked), done("searched", searched)]


async def deposits(
    stub: ledger_pb2_grpc.LedgerServiceStub,
    depositor: Callable[[int], Metadata],
    facility: str,
    residents: list[str],
) -> str:
    async def deposit(i: int) -> None:
        quote = await stub.QuoteDeposit(
            ledger_pb2.QuoteDepositRequest(
                facility_id=facility,
                resident_id=residents[i % len(residents)],
                amount_cents=100 + i % 900,
            ),
            metadata=depositor(i),
        )
        await stub.ConfirmDeposit(
            ledger_pb2.ConfirmDepositRequest(
                quote_id=quote.quote_id,
                payment_method="pm_card_visa",
                idempotency_key=quote.quote_id,
            ),
            metadata=depositor(i),
            timeout=60,
        )

    await first_for_each("ledger", deposit, len(residents))
    print(f"ledger: deposits quoted and confirmed for {SECONDS:.0f}s", flush=True)
    return done("deposits", await closed_loop("deposited", deposit, concurrency=CONCURRENCY))


async def sms_workload(stub: sms_pb2_grpc.SmsGatewayServiceStub) -> str:
    operator = metadata_of("bench-operator", Role.OPERATOR)

    async def look(i: int) -> None:
        await stub.PreviewSms(
            sms_pb2.PreviewSmsRequest(facility_id=FACILITY, body=f"Hello from home, day {i} 🙂"),
            metadata=family(i),
        )
        await stub.ListSmsHistory(sms_pb2.ListSmsHistoryRequest(page_size=20), metadata=family(i))
        await stub.GetPhoneNumberStatus(
            sms_pb2.GetPhoneNumberStatusRequest(phone_number=f"+1217555{i % 10000:04d}"),
            metadata=operator,
        )

    print(f"sms-gateway: previews, histories and number statuses for {SECONDS:.0f}s", flush=True)
    await answered(
        "sms-gateway",
        lambda: stub.PreviewSms(
            sms_pb2.PreviewSmsRequest(facility_id=FACILITY, body="hi"), metadata=family(0)
        ),
    )
    return done("looked up", await closed_loop("looked up", look, concurrency=CONCURRENCY))


async def commissary_workload(stub: commissary_pb2_grpc.CommissaryServiceStub) -> str:
    async def allowance(i: int) -> None:
        await stub.CreateAllowance(
            commissary_pb2.CreateAllowanceRequest(
                allowance_id=str(uuid.uuid4()),
                facility_id=FACILITY,
                resident_id=resident(i),
                amount_cents=1000 + i % 2000,
                payment_method="pm_card_visa",
            ),
            metadata=family(i),
            timeout=60,
        )
        await stub.ListAllowances(
            commissary_pb2.ListAllowancesRequest(facility_id=FACILITY, page_size=20),
            metadata=family(i),
        )

    await first_for_each("commissary", allowance, RESIDENTS)
    print(f"commissary: allowances held on cards for {SECONDS:.0f}s", flush=True)
    return done("allowances", await closed_loop("allowances", allowance, concurrency=CONCURRENCY))


async def visits(
    stub: visitation_pb2_grpc.VisitationServiceStub,
    visitor: Callable[[int], Metadata],
    facility: str,
    residents: list[str],
    per_day: int,
) -> str:
    """Each call lists a day's free slots for a resident and books one of them, `per_day` calls
    a day spread from its first free slot to its last (one visitor's visits a day never
    overlap), for the 12 days after the lead time."""
    zone = ZoneInfo(FACILITY_SETTINGS.time_zone)
    first_day = datetime.now(zone).date() + timedelta(days=2)
    kind = visitation_pb2.VISIT_KIND_REMOTE

    async def available(i: int) -> list[visitation_pb2.Slot]:
        request = visitation_pb2.ListAvailabilityRequest(
            facility_id=facility,
            resident_id=residents[i % len(residents)],
            date=str(first_day + timedelta(days=i // per_day)),
            kind=kind,
        )
        availability = await stub.ListAvailability(request, metadata=visitor(i))
        return [slot for slot in availability.slots if slot.stations_free]

    async def book(i: int) -> None:
        free = await available(i)
        await stub.ScheduleVisit(
            visitation_pb2.ScheduleVisitRequest(
                visit_id=str(uuid.uuid4()),
                facility_id=facility,
                resident_id=residents[i % len(residents)],
                kind=kind,
                starts_at=free[i % per_day * (len(free) - 1) // max(per_day - 1, 1)].starts_at,
            ),
            metadata=visitor(i),
        )

    await first_for_each("visitation", available, len(residents))
    print(f"visitation: visits booked for {SECONDS:.0f}s", flush=True)
    result = await closed_loop("visits booked", book, concurrency=CONCURRENCY, limit=12 * per_day)
    return done("visits", result)


async def distributed(env: dict[str, str]) -> dict[str, tuple[float, list[str]]]:
    """Each service's peak memory in MB, with what it did."""
    data_dir = tempfile.TemporaryDirectory(prefix="kinlink-bench-memory-")
    services = start_services(env, Path(data_dir.name))
    did: dict[str, list[str]] = {name: [] for name in services}
    residents = [resident(i) for i in range(RESIDENTS)]
    message_wallets = wallets("messages", MESSAGES_PER_WALLET)
    image_wallets = [uuid.uuid4() for _ in range(PHOTOS // IMAGES_PER_WALLET + 1)]
    ready_wallets = [uuid.uuid4()]
    every_wallet = message_wallets + image_wallets + ready_wallets
    try:
        for process in services.values():
            await process.wait_serving()
        channels = {name: grpc.aio.insecure_channel(p.address) for name, p in services.items()}
        identity = identity_pb2_grpc.IdentityServiceStub(channels["identity"])
        ledger = ledger_pb2_grpc.LedgerServiceStub(channels["ledger"])
        operator = await log_in(identity, OPERATOR_EMAIL, OPERATOR_PASSWORD)
        await identity.ConfigureFacility(
            identity_pb2.ConfigureFacilityRequest(
                facility_id=FACILITY, settings=settings_message(FACILITY_SETTINGS)
            ),
            metadata=operator,
        )
        did["identity"] = await identity_workload(
            identity, operator, FACILITY, residents, family(0)
        )
        bootstrap = env["KINLINK_KAFKA_BOOTSTRAP"]
        await publish_identity_events(
            bootstrap, [card_added(str(family_account(i)), "pm_card_visa") for i in range(FAMILIES)]
        )
        await choose_cards(bootstrap, every_wallet)
        did["ledger"].append(await deposits(ledger, family, FACILITY, residents))
        await set_up_wallets(Stubs([channels["ledger"]]), every_wallet)
        senders = Senders([channels["messaging"]])
        await wait_ready(senders, ready_wallets)
        did["messaging"].append(done("messages", await messages(senders, message_wallets)))
        text_peak = peak_rss_mb(services["messaging"].process.pid)
        upload = messaging_pb2.ImageUpload(
            file_name="IMG_0042.jpg", content_type="image/jpeg", content=phone_photo()
        )
        photos = await closed_loop(
            "photos sent",
            lambda i: senders.send(image_wallets[i % len(image_wallets)], i, [upload], "photo"),
            seconds=float("inf"),
            concurrency=2,
            limit=PHOTOS,
        )
        did["messaging"].append(f"{done('photos', photos)}; peak before them {text_peak:.0f} MB")
        sms = sms_pb2_grpc.SmsGatewayServiceStub(channels["sms-gateway"])
        did["sms-gateway"].append(await sms_workload(sms))
        commissary = commissary_pb2_grpc.CommissaryServiceStub(channels["commissary"])
        did["commissary"].append(await commissary_workload(commissary))
        visitation = visitation_pb2_grpc.VisitationServiceStub(channels["visitation"])
        did["visitation"].append(await visits(visitation, family, FACILITY, residents, per_day=40))
        for channel in channels.values():
            await channel.close()
    finally:
        rss = {name: process.stop() for name, process in services.items()}
        data_dir.cleanup()
    return {name: (rss[name], did[name]) for name in services}


def start_embedded(data_dir: Path, grpc_port: int, http_port: int) -> ServiceProcess:
    """`make run`'s `kinlink-embedded`, on a folder and ports of its own, with none of the
    infrastructure's settings (it needs no servers)."""
    child_env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("KINLINK_")},
        "KINLINK_DATA_DIR": str(data_dir),
        "KINLINK_GRPC_PORT": str(grpc_port),
        "KINLINK_HTTP_PORT": str(http_port),
        "KINLINK_LOG_LEVEL": "WARNING",
    }
    command = [str(Path(sys.executable).parent / "kinlink-embedded")]
    process = subprocess.Popen(command, env=child_env, stdout=subprocess.DEVNULL)
    return ServiceProcess("kinlink-embedded", process, f"127.0.0.1:{grpc_port}")


async def portal_pages(portal: str) -> str:
    """The portal's public pages, rendered in turn."""
    pages = ["/", "/log-in", "/sign-up", "/help", "/help/how-sms-works"]
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:

        async def get(i: int) -> None:
            (await client.get(pages[i % len(pages)])).raise_for_status()

        print(f"portal: public pages for {SECONDS:.0f}s", flush=True)
        return done("pages", await closed_loop("pages", get, concurrency=CONCURRENCY))


async def seeded(portal: str, process: ServiceProcess) -> None:
    """Until the portal answers: the embedded mode serves it once the demo is seeded."""
    deadline = time.monotonic() + READY_SECONDS
    async with httpx.AsyncClient(base_url=portal, timeout=5) as client:
        while time.monotonic() < deadline:
            if process.process.poll() is not None:
                raise RuntimeError(f"kinlink-embedded exited with {process.process.returncode}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("the embedded mode's portal never answered")


async def embedded() -> tuple[float, list[str]]:
    """The embedded mode's peak memory in MB, with what it did."""
    http_port = free_port()
    portal = f"http://127.0.0.1:{http_port}"
    with tempfile.TemporaryDirectory(prefix="kinlink-bench-embedded-") as data_dir:
        process = start_embedded(Path(data_dir), free_port(), http_port)
        try:
            print("embedded: starting and seeding the demo", flush=True)
            await seeded(portal, process)
            did = await embedded_workload(process.address, portal)
        finally:
            rss = process.stop()
    return rss, did


async def embedded_workload(address: str, portal: str) -> list[str]:
    residents = [f"R-MEM-{i}" for i in range(RESIDENTS)]
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        operator = await log_in(identity, demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
        family = await log_in(identity, demo.FAMILY_EMAIL, demo.FAMILY_PASSWORD)
        did = await identity_workload(identity, operator, FAC_DEMO, residents, family)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        did.append(await deposits(ledger, lambda i: family, FAC_DEMO, residents))
        messaging = messaging_pb2_grpc.MessagingServiceStub(channel)
        run = uuid.uuid4().hex[:8]

        async def send(i: int) -> None:
            await messaging.SendMessage(
                messaging_pb2.SendMessageRequest(
                    client_key=f"{run}-{i}",
                    facility_id=FAC_DEMO,
                    resident_id="R-1001",
                    body="Thinking of you. The kids say hello.",
                ),
                metadata=family,
            )

        print("messaging: what the demo wallet pays for", flush=True)
        sent = await closed_loop(
            "messages", send, seconds=float("inf"), concurrency=CONCURRENCY, limit=20
        )
        did.append(done("messages", sent))
        visitation = visitation_pb2_grpc.VisitationServiceStub(channel)
        did.append(await visits(visitation, lambda i: family, FAC_DEMO, residents, per_day=3))
    did.append(await portal_pages(portal))
    return did


def report(name: str, rss: float, target: float, did: list[str]) -> None:
    verdict = "under" if rss < target else "OVER"
    print(f"{name + ':':16}{rss:5.0f} MB  (target < {target} MB: {verdict})")
    for line in did:
        print(f"{'':16}{line}")


async def main() -> None:
    services = await distributed(infra_env())
    print("\n== Kinlink memory: each service's peak resident memory (VmHWM), own process ==")
    for name, (rss, did) in services.items():
        report(name, rss, TARGET_RSS_MB, did)
    rss, did = await embedded()
    print("\n== Kinlink memory: the embedded mode's peak resident memory (VmHWM) ==")
    report("embedded", rss, TARGET_EMBEDDED_MB, did)


if __name__ == "__main__":
    asyncio.run(main())
