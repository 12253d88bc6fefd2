"""`make bench`, second part: the identity service on the real PostgreSQL and Kafka, next to the
machine's own ceiling (argon2id verifications in this process at the production costs).

One identity process (gRPC, event store on PostgreSQL, outbox relay to Kafka, mail to files) is
set up through its own API, as an operator and families would:
  1. ceiling: argon2id verifications per second here, on one thread and on one per core;
  2. logins: a closed loop of LogIn calls for BENCH_SECONDS over pre-activated family accounts
     (registered over gRPC, activated with the token from the emailed link), p50 and p99;
  3. resident search: residents booked by the operator, then SearchResidents by four-letter
     prefixes of their last names as the signed-in family members, p50 and p99;
  4. the identity process's peak memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import tempfile
import time
import uuid
from pathlib import Path

import grpc
from cryptography.fernet import Fernet
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_identity.adapters.passwords import PasswordHasher
from kinlink_identity.adapters.token_signer import generate_key_pair
from kinlink_identity.bootstrap import IdentitySettings

from benchmarks import harness
from benchmarks.harness import CONCURRENCY
from benchmarks.harness import SECONDS
from benchmarks.harness import LoopResult
from benchmarks.harness import closed_loop

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200"))
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "5000"))
SURNAMES = 200  # each with its own four-letter start: a search finds RESIDENTS / SURNAMES
CEILING_SECONDS = min(SECONDS, 5.0)
CORES = os.cpu_count() or 1
# The production costs: IdentitySettings' defaults, whatever this environment says.
TIME_COST = int(IdentitySettings.model_fields["password_time_cost"].default)
MEMORY_KIB = int(IdentitySettings.model_fields["password_memory_kib"].default)
FACILITY = f"FAC-BENCH-{uuid.uuid4().hex[:8]}"
OPERATOR_EMAIL = "operator@bench.kinlink.example"
OPERATOR_PASSWORD = "bench-operator-password"
FAMILY_PASSWORD = "bench-family-password"
INFINITE = float("inf")  # setup loops run until their `limit` of calls

Metadata = tuple[tuple[str, str], ...]


def bearer(session: pb.Session) -> Metadata:
    return (("authorization", f"Bearer {session.access_token}"),)


def family_email(i: int) -> str:
    return f"family-{i}@bench.kinlink.example"


def surnames() -> list[str]:
    """SURNAMES pronounceable last names whose first four letters differ."""
    starts = sorted(
        {a + b + c + d for a in "bdfgklmnprstvz" for b in "aeiou" for c in "lmnrst" for d in "aeio"}
    )
    endings = ("son", "ley", "man", "ford", "er", "ez", "ski", "ton")
    chosen = random.Random(7).sample(starts, SURNAMES)
    return [start.capitalize() + endings[i % len(endings)] for i, start in enumerate(chosen)]


async def ceiling(threads: int) -> LoopResult:
    """argon2id verifications of a right password here, `threads` at a time (argon2-cffi
    releases the GIL while it hashes)."""
    hasher = PasswordHasher(TIME_COST, MEMORY_KIB)
    hashed = hasher.hash(FAMILY_PASSWORD)

    async def verify(i: int) -> None:
        assert await asyncio.to_thread(hasher.verify, hashed, FAMILY_PASSWORD)

    print(f"ceiling: argon2id on {threads} thread(s) for {CEILING_SECONDS:.0f}s", flush=True)
    return await closed_loop("verified", verify, seconds=CEILING_SECONDS, concurrency=threads)


def start_identity(env: dict[str, str], database: str, data_dir: Path) -> harness.ServiceProcess:
    private_key, public_key = generate_key_pair()
    return harness.ServiceProcess.start(
        "kinlink_identity.entrypoints.main",
        env,
        database,
        {
            "KINLINK_JWT_PRIVATE_KEY": private_key,
            "KINLINK_JWT_KEY_ID": "bench-identity",
            "KINLINK_JWT_PUBLIC_KEYS": json.dumps({"bench-identity": public_key}),
            "KINLINK_PERSONAL_DATA_KEY": Fernet.generate_key().decode(),
            "KINLINK_BOOTSTRAP_OPERATOR_EMAIL": OPERATOR_EMAIL,
            "KINLINK_BOOTSTRAP_OPERATOR_PASSWORD": OPERATOR_PASSWORD,
            "KINLINK_PASSWORD_TIME_COST": str(TIME_COST),
            "KINLINK_PASSWORD_MEMORY_KIB": str(MEMORY_KIB),
            # Every login of the run succeeds; failures, if any, must not turn into refusals.
            "KINLINK_LOGIN_FAILURES_PER_ACCOUNT": "1000000",
            "KINLINK_LOGIN_FAILURES_PER_ADDRESS": "1000000",
            "KINLINK_MAIL_BACKEND": "folder",
            "KINLINK_DATA_DIR": str(data_dir),
        },
    )


def activation_tokens(mail_folder: Path) -> dict[str, str]:
    """Recipient -> the token of the link in the email sent to them."""
    tokens = {}
    for path in mail_folder.glob("*.eml"):
        text = path.read_text()
        to = re.search(r"^To: (.+)$", text, re.MULTILINE)
        token = re.search(r"token=([A-Za-z0-9_\-]+)", text)
        if to and token:
            tokens[to.group(1).strip()] = token.group(1)
    return tokens


def setup_failed(step: str, result: LoopResult) -> None:
    if result.failures:
        raise RuntimeError(f"{step} failed: {dict(result.failures)}")


async def families(stub: identity_pb2_grpc.IdentityServiceStub, mail_folder: Path) -> float:
    """Registers and activates ACCOUNTS family members; accounts made per second."""
    started = time.monotonic()
    address = pb.PostalAddress(
        line1="1 Main St", city="Springfield", region="IL", postal_code="62701", country="US"
    )

    async def register(i: int) -> None:
        await stub.Register(
            pb.RegisterRequest(
                email=family_email(i),
                password=FAMILY_PASSWORD,
                first_name="Bench",
                last_name=f"Family{i}",
                address=address,
                phone="+12175550100",
                time_zone="America/Chicago",
            )
        )

    print(f"setup: registering {ACCOUNTS} family members", flush=True)
    setup_failed(
        "Register", await closed_loop("registered", register, seconds=INFINITE, limit=ACCOUNTS)
    )
    tokens = activation_tokens(mail_folder)

    async def activate(i: int) -> None:
        await stub.Activate(pb.TokenRequest(token=tokens[family_email(i)]))

    print("setup: activating them with the emailed tokens", flush=True)
    setup_failed(
        "Activate", await closed_loop("activated", activate, seconds=INFINITE, limit=ACCOUNTS)
    )
    return ACCOUNTS / (time.monotonic() - started)


async def logins(
    stub: identity_pb2_grpc.IdentityServiceStub, sessions: dict[int, Metadata]
) -> LoopResult:
    """LogIn as the family members in turn; keeps each one's latest access token."""

    async def log_in(i: int) -> None:
        account = i % ACCOUNTS
        session = await stub.LogIn(
            pb.LogInRequest(email=family_email(account), password=FAMILY_PASSWORD), timeout=60
        )
        sessions[account] = bearer(session)

    print(
        f"logins: {CONCURRENCY} concurrent over {ACCOUNTS} accounts for {SECONDS:.0f}s", flush=True
    )
    return await closed_loop("logged in", log_in)


async def book_residents(
    stub: identity_pb2_grpc.IdentityServiceStub, operator: Metadata, names: list[str]
) -> float:
    """Books RESIDENTS residents at the facility as the operator; bookings per second."""

    async def book(i: int) -> None:
        await stub.BookResident(
            pb.BookResidentRequest(
                facility_id=FACILITY,
                resident_id=f"R-{i}",
                first_name=f"Res{i}",
                last_name=names[i % len(names)],
            ),
            metadata=operator,
        )

    print(f"setup: booking {RESIDENTS} residents, {CONCURRENCY} at a time", flush=True)
    result = await closed_loop("booked", book, seconds=INFINITE, limit=RESIDENTS)
    setup_failed("BookResident", result)
    return result.rate


async def directory_caught_up(
    stub: identity_pb2_grpc.IdentityServiceStub, family: Metadata, prefixes: list[str]
) -> float:
    """Seconds until every booked resident is found by searching (the directory is a view)."""
    started = time.monotonic()
    while True:
        answers = await asyncio.gather(
            *(
                stub.SearchResidents(pb.SearchResidentsRequest(last_name=p), metadata=family)
                for p in prefixes
            )
        )
        found = sum(len(answer.residents) for answer in answers)
        if found >= RESIDENTS:
            return time.monotonic() - started
        if time.monotonic() - started > 120:
            raise RuntimeError(f"the resident directory is stuck at {found} of {RESIDENTS}")
        print(f"  directory: {found}/{RESIDENTS} searchable", flush=True)
        await asyncio.sleep(0.5)


async def searches(
    stub: identity_pb2_grpc.IdentityServiceStub,
    sessions: dict[int, Metadata],
    prefixes: list[str],
) -> LoopResult:
    signed_in = list(sessions.values())

    async def search(i: int) -> None:
        answer = await stub.SearchResidents(
            pb.SearchResidentsRequest(last_name=prefixes[i % len(prefixes)]),
            metadata=signed_in[i % len(signed_in)],
            timeout=60,
        )
        assert answer.residents

    print(f"search: {CONCURRENCY} concurrent searches for {SECONDS:.0f}s", flush=True)
    return await closed_loop("searched", search)


async def main() -> None:
    one_thread = await ceiling(1)
    all_cores = await ceiling(CORES)
    env = harness.infra_env()
    database = harness.create_database(env, "identity")
    with tempfile.TemporaryDirectory(prefix="kinlink-bench-identity-") as data_dir:
        identity = start_identity(env, database, Path(data_dir))
        try:
            await identity.wait_serving()
            async with grpc.aio.insecure_channel(identity.address) as channel:
                stub = identity_pb2_grpc.IdentityServiceStub(channel)
                operator = bearer(
                    await stub.LogIn(
                        pb.LogInRequest(email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
                    )
                )
                await stub.ConfigureFacility(
                    pb.ConfigureFacilityRequest(
                        facility_id=FACILITY,
                        settings=settings_message(DEMO_FACILITIES[FAC_DEMO]),
                    ),
                    metadata=operator,
                )
                accounts_rate = await families(stub, Path(data_dir) / "mail")
                sessions: dict[int, Metadata] = {}
                logged_in = await logins(stub, sessions)
                names = surnames()
                prefixes = [name[:4] for name in names]
                booking_rate = await book_residents(stub, operator, names)
                lag = await directory_caught_up(stub, next(iter(sessions.values())), prefixes)
                searched = await searches(stub, sessions, prefixes)
        finally:
            identity_rss = identity.stop()
    driver_rss = harness.peak_rss_mb(os.getpid())
    print("\n== Kinlink identity (real PostgreSQL and Kafka, production argon2id costs) ==")
    print(
        f"machine ceiling: argon2id (time_cost {TIME_COST}, {MEMORY_KIB} KiB) "
        f"{one_thread.rate:,.1f} verifications/s on 1 thread, "
        f"{all_cores.rate:,.1f}/s on {CORES} (this process, {one_thread.latency()} each)"
    )
    print(
        f"logins:          {logged_in.rate:,.1f}/s over gRPC, {CONCURRENCY} concurrent for "
        f"{SECONDS:.0f}s, {logged_in.latency()}  "
        f"({logged_in.rate / all_cores.rate:.0%} of the {CORES}-thread ceiling)"
    )
    if logged_in.failures:
        print(f"                 failed: {dict(logged_in.failures)}")
    print(
        f"resident search: {searched.rate:,.0f}/s, {CONCURRENCY} concurrent for {SECONDS:.0f}s, "
        f"{searched.latency()}  ({RESIDENTS:,} residents, {SURNAMES} four-letter prefixes, "
        f"{RESIDENTS // SURNAMES} found each)"
    )
    if searched.failures:
        print(f"                 failed: {dict(searched.failures)}")
    print(
        f"setup:           {ACCOUNTS} families registered and activated at {accounts_rate:,.1f}/s; "
        f"{RESIDENTS:,} residents booked at {booking_rate:,.0f}/s, all searchable "
        f"{lag * 1000:.0f} ms after the last"
    )
    print(
        f"peak memory:     identity {identity_rss:.0f} MB, load driver {driver_rss:.0f} MB  "
        f"(target < {harness.TARGET_RSS_MB} MB per service)"
    )


if __name__ == "__main__":
    asyncio.run(main())
