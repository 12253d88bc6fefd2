"""`make bench`: messages and images accepted by the messaging service end to end, on the real
Kafka, PostgreSQL and object store, next to the machine's ceilings.

An identity process (where messaging signs in with its service account), ledger processes
sharing one database, and messaging processes sharing another, as replicas do; the facility and
its residents come through identity's topic, published here as identity would. Every call
carries a token signed with the key made for the run, which identity signs with too.
BENCH_MESSAGING messaging processes (2) share the calls; BENCH_IMAGE_CONCURRENCY (4) images are
sent at once.
  1. messages: SendMessage without images in a closed loop for BENCH_SECONDS, each charged
     through the ledger before it is accepted: rate, p50, p99; beside it the ceiling, the
     ledger's own wallet charges per second in the same run (every message is one charge), and
     pgbench on the same PostgreSQL;
  2. images: SendMessage with one 12-megapixel phone-like JPEG of some 3 MB (made once here
     with Pillow; the facility takes up to 5 MB); beside it the ceiling, the image preparation
     alone (decode, re-encode, thumbnail) in a loop on one core times the cores, and the object
     store's puts of the prepared image and its thumbnail;
  3. the peak memory of each messaging process.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import math
import os
import secrets
import tempfile
import time
import uuid
from pathlib import Path

import grpc
from cryptography.fernet import Fernet
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_kit.auth import Role
from kinlink_messaging.adapters.image_store_settings import ImageStoreSettings
from kinlink_messaging.adapters.image_store_settings import open_image_store
from kinlink_messaging.bootstrap import prepare_upload
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.images import PreparedImage
from PIL import Image
from PIL import ImageFilter
from pydantic import SecretStr

from benchmarks.deposits import FACILITY
from benchmarks.deposits import KEY_ID
from benchmarks.deposits import PRIVATE_KEY
from benchmarks.deposits import PUBLIC_KEY
from benchmarks.deposits import Stubs
from benchmarks.deposits import metadata_of
from benchmarks.deposits import pgbench_tps
from benchmarks.deposits import publish_identity_events
from benchmarks.harness import CONCURRENCY
from benchmarks.harness import SECONDS
from benchmarks.harness import TARGET_RSS_MB
from benchmarks.harness import LoopResult
from benchmarks.harness import Replicas
from benchmarks.harness import ServiceProcess
from benchmarks.harness import closed_loop
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from benchmarks.harness import peak_rss_mb
from benchmarks.wallet import FUNDING_CENTS
from benchmarks.wallet import charges
from benchmarks.wallet import choose_cards
from benchmarks.wallet import set_up_wallets
from benchmarks.wallet import start_ledgers

MESSAGING = int(os.environ.get("BENCH_MESSAGING", "2"))  # messaging processes
# The most each phase could do per second: its wallets (none shared) are funded for that long.
MOST_PER_SECOND = {"charges": 2000, "messages": 1000, "images": 50}
RESIDENTS = 200
# Each image send holds its photo's 36 MB of pixels while it is prepared: a few at a time.
IMAGE_CONCURRENCY = int(os.environ.get("BENCH_IMAGE_CONCURRENCY", "4"))
CEILING_SECONDS = min(SECONDS, 5.0)
CORES = os.cpu_count() or 1
PHOTO_SIZE = (4000, 3000)  # 12 megapixels, as a phone's camera takes them
BODY = "Thinking of you. The kids say hello, and we will visit on Sunday. " * 5
FACILITY_SETTINGS = DEMO_FACILITIES[FAC_DEMO]
TARGET_MESSAGES = 500
SERVICE_EMAIL = "messaging@bench.kinlink.example"
SERVICE_PASSWORD = secrets.token_urlsafe(24)
MESSAGES_PER_WALLET = FUNDING_CENTS // FACILITY_SETTINGS.message_price_cents  # or charges
IMAGES_PER_WALLET = FUNDING_CENTS // (
    FACILITY_SETTINGS.message_price_cents + FACILITY_SETTINGS.image_price_cents
)


def wallets(phase: str, uses: int) -> list[uuid.UUID]:
    """Accounts enough for the phase's most per second, each wallet used `uses` times."""
    return [uuid.uuid4() for _ in range(math.ceil(SECONDS * MOST_PER_SECOND[phase] / uses))]


def resident(i: int) -> str:
    return f"R-msg-{i % RESIDENTS}"


async def book_residents(bootstrap: str) -> None:
    """What identity publishes as it configures the facility and books its residents; on one
    partition, so the last booking comes last."""
    events = [
        facility_configured(FACILITY, FACILITY_SETTINGS),
        *(resident_booked(FACILITY, resident(i)) for i in range(RESIDENTS)),
    ]
    await publish_identity_events(bootstrap, events)


def start_identity(env: dict[str, str], database: str, data_dir: Path) -> ServiceProcess:
    """Identity with the run's signing key and messaging's service account."""
    return ServiceProcess.start(
        "kinlink_identity.entrypoints.main",
        env,
        database,
        {
            "KINLINK_JWT_PRIVATE_KEY": PRIVATE_KEY,
            "KINLINK_JWT_KEY_ID": KEY_ID,
            "KINLINK_JWT_PUBLIC_KEYS": json.dumps({KEY_ID: PUBLIC_KEY}),
            "KINLINK_PERSONAL_DATA_KEY": Fernet.generate_key().decode(),
            "KINLINK_SERVICE_ACCOUNTS": json.dumps({SERVICE_EMAIL: SERVICE_PASSWORD}),
            "KINLINK_DATA_DIR": str(data_dir),
        },
    )


def start_messaging(
    env: dict[str, str], database: str, identity: str, ledgers: Replicas
) -> list[ServiceProcess]:
    """Each messaging process charges through a ledger of its own, in turn."""
    return [
        ServiceProcess.start(
            "kinlink_messaging.entrypoints.main",
            env,
            database,
            {
                "KINLINK_JWT_PUBLIC_KEYS": json.dumps({KEY_ID: PUBLIC_KEY}),
                "KINLINK_LEDGER_TARGET": ledgers.answering[i % len(ledgers.answering)].address,
                "KINLINK_IDENTITY_TARGET": identity,
                "KINLINK_SERVICE_ACCOUNT_EMAIL": SERVICE_EMAIL,
                "KINLINK_SERVICE_ACCOUNT_PASSWORD": SERVICE_PASSWORD,
            },
        )
        for i in range(MESSAGING)
    ]


class Senders:
    """SendMessage spread over the messaging processes in turn, as this run's family members."""

    def __init__(self, channels: list[grpc.aio.Channel]) -> None:
        self.stubs = [messaging_pb2_grpc.MessagingServiceStub(c) for c in channels]
        self._in_turn = itertools.cycle(self.stubs)
        self._run = uuid.uuid4().hex[:8]

    async def send(
        self,
        account: uuid.UUID,
        i: int,
        images: list[pb.ImageUpload],
        label: str,
        stub: messaging_pb2_grpc.MessagingServiceStub | None = None,
    ) -> pb.Message:
        """Through `stub`, else the next process in turn."""
        request = pb.SendMessageRequest(
            client_key=f"{self._run}-{label}-{i}",
            facility_id=FACILITY,
            resident_id=resident(i),
            body=BODY,
            images=images,
        )
        stub = stub or next(self._in_turn)
        family = metadata_of(str(account), Role.FAMILY_MEMBER)
        return await stub.SendMessage(request, metadata=family, timeout=60)


async def wait_ready(senders: Senders, accounts: list[uuid.UUID]) -> None:
    """Until every messaging process knows the last resident booked and can charge: a message
    through each, from a wallet of its own (until then: not found, or the wallet unavailable
    while messaging signs in)."""
    deadline = time.monotonic() + 300
    for i, (account, stub) in enumerate(zip(accounts, senders.stubs, strict=True)):
        while True:
            try:
                await senders.send(account, RESIDENTS - 1, [], f"ready-{i}", stub)
                break
            except grpc.aio.AioRpcError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)


def megabytes(sizes: list[float]) -> str:
    return ", ".join(f"{size:.0f}" for size in sizes)


def unless_failed(what: str, result: LoopResult) -> LoopResult:
    if result.failures:
        raise RuntimeError(f"{what} failed: {dict(result.failures)}")
    return result


async def messages(senders: Senders, accounts: list[uuid.UUID]) -> LoopResult:
    print(f"messages: {CONCURRENCY} concurrent for {SECONDS:.0f}s over {len(accounts)} wallets")
    result = await closed_loop(
        "messages accepted",
        lambda i: senders.send(accounts[i % len(accounts)], i, [], "text"),
        limit=len(accounts) * MESSAGES_PER_WALLET,
    )
    return unless_failed("messages", result)


def phone_photo() -> bytes:
    """A 12-megapixel JPEG about as hard to compress as a phone's photo (some 3 MB): smooth
    colour gradients under fine grain."""
    ramp = Image.linear_gradient("L").resize(PHOTO_SIZE)
    grain = Image.effect_noise(PHOTO_SIZE, 40).filter(ImageFilter.GaussianBlur(0.8))
    channels = [
        Image.blend(ramp, grain, 0.5),
        Image.blend(
            ramp.rotate(90).resize(PHOTO_SIZE), grain.transpose(Image.Transpose.ROTATE_180), 0.5
        ),
        Image.blend(
            ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
            grain.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
            0.5,
        ),
    ]
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=92)
    return out.getvalue()


async def images(senders: Senders, accounts: list[uuid.UUID], photo: bytes) -> LoopResult:
    upload = pb.ImageUpload(file_name="IMG_0042.jpg", content_type="image/jpeg", content=photo)
    print(f"images: {IMAGE_CONCURRENCY} concurrent for {SECONDS:.0f}s over {len(accounts)} wallets")
    result = await closed_loop(
        "images accepted",
        lambda i: senders.send(accounts[i % len(accounts)], i, [upload], "image"),
        concurrency=IMAGE_CONCURRENCY,
        limit=len(accounts) * IMAGES_PER_WALLET,
    )
    return unless_failed("images", result)


def preparations_per_core(photo: bytes) -> tuple[float, PreparedImage]:
    """Image preparations per second on one core, and what one prepares."""
    upload = ImageUpload("IMG_0042.jpg", "image/jpeg", photo)
    print(f"image preparation: one core for {CEILING_SECONDS:.0f}s", flush=True)
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < CEILING_SECONDS or count == 0:
        prepared = prepare_upload(upload, FACILITY_SETTINGS.image_rules)
        count += 1
    return count / elapsed, prepared


async def object_puts(env: dict[str, str], prepared: PreparedImage) -> float:
    """Puts per second of the prepared image and its thumbnail (what a send stores) in the
    object store, from worker threads as messaging puts them; removed afterwards."""
    settings = ImageStoreSettings(
        s3_endpoint=env["KINLINK_S3_ENDPOINT"],
        s3_region=env["KINLINK_S3_REGION"],
        s3_bucket=env["KINLINK_S3_BUCKET"],
        s3_access_key_id=env["KINLINK_S3_ACCESS_KEY_ID"],
        s3_secret_access_key=SecretStr(env["KINLINK_S3_SECRET_ACCESS_KEY"]),
    )
    store = open_image_store(settings)
    prefix = f"bench/{uuid.uuid4().hex[:8]}"

    def put(i: int) -> None:
        store.put(f"{prefix}/{i}.jpg", prepared.content, prepared.content_type)
        store.put(f"{prefix}/{i}-thumb.jpg", prepared.thumbnail, prepared.thumbnail_content_type)

    print(f"object store: {IMAGE_CONCURRENCY} concurrent puts for {CEILING_SECONDS:.0f}s")
    result = await closed_loop(
        "images stored",
        lambda i: asyncio.to_thread(put, i),
        seconds=CEILING_SECONDS,
        concurrency=IMAGE_CONCURRENCY,
    )
    for i in range(result.completed):
        await asyncio.to_thread(store.delete, f"{prefix}/{i}.jpg")
        await asyncio.to_thread(store.delete, f"{prefix}/{i}-thumb.jpg")
    return result.rate


async def main() -> None:
    env = infra_env()
    bootstrap = env["KINLINK_KAFKA_BOOTSTRAP"]
    pgbench = pgbench_tps(env)
    photo = phone_photo()
    per_core, prepared = preparations_per_core(photo)
    puts = await object_puts(env, prepared)
    charge_wallets = wallets("charges", MESSAGES_PER_WALLET)
    message_wallets = wallets("messages", MESSAGES_PER_WALLET)
    image_wallets = wallets("images", IMAGES_PER_WALLET)
    ready_wallets = [uuid.uuid4() for _ in range(MESSAGING)]
    every_wallet = charge_wallets + message_wallets + image_wallets + ready_wallets
    data_dir = tempfile.TemporaryDirectory(prefix="kinlink-bench-messaging-")
    identity = start_identity(env, create_database(env, "identity"), Path(data_dir.name))
    audit_topic = f"kinlink.ledger.audit.bench-{uuid.uuid4().hex[:8]}"
    ledgers = start_ledgers(env, create_database(env, "wallet"), audit_topic)
    services = start_messaging(env, create_database(env, "messaging"), identity.address, ledgers)
    try:
        await book_residents(bootstrap)
        await choose_cards(bootstrap, every_wallet)
        for process in [identity, *ledgers.all, *services]:
            await process.wait_serving()
        ledger_channels = [
            grpc.aio.insecure_channel(ledger.address) for ledger in ledgers.answering
        ]
        messaging_channels = [grpc.aio.insecure_channel(service.address) for service in services]
        await set_up_wallets(Stubs(ledger_channels), every_wallet)
        senders = Senders(messaging_channels)
        await wait_ready(senders, ready_wallets)
        charged = await charges(Stubs(ledger_channels), charge_wallets)
        sent = await messages(senders, message_wallets)
        text_rss = [peak_rss_mb(service.process.pid) for service in services]
        with_images = await images(senders, image_wallets, photo)
        for channel in ledger_channels + messaging_channels:
            await channel.close()
    finally:
        messaging_rss = [service.stop() for service in services]
        for process in [*ledgers.all, identity]:
            process.stop()
        data_dir.cleanup()
    print("\n== Kinlink messaging (real Kafka, PostgreSQL and object store) ==")
    print(f"processes:       {MESSAGING} messaging, ledgers: {ledgers.describe()}, identity")
    print(
        f"messages:        {sent.rate:,.0f}/s accepted over {SECONDS:.0f}s, {sent.latency()}, "
        f"{sent.completed:,} each charged through the ledger  (target >= {TARGET_MESSAGES})"
    )
    print(f"  ceiling:       wallet charges {charged.rate:,.0f}/s ({charged.latency()}) same run,")
    print(f"                 pgbench {pgbench:,.0f} TPS (TPC-B-like, 2 clients, same server)")
    print(
        f"images:          {with_images.rate:,.1f}/s accepted, {with_images.latency()}, one "
        f"{PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6:.0f}-megapixel JPEG of {len(photo) / 1e6:.1f} MB "
        f"each ({with_images.completed:,} sent)"
    )
    print(
        f"  ceiling:       preparation {per_core:,.1f}/s on one core x {CORES} cores = "
        f"{per_core * CORES:,.1f}/s; object store {puts:,.0f} puts/s of "
        f"{prepared.size / 1e6:.1f} MB + its thumbnail"
    )
    print(
        f"peak memory:     messaging {megabytes(messaging_rss)} MB ({megabytes(text_rss)} MB "
        f"before the images)  (target < {TARGET_RSS_MB} MB per service)"
    )


if __name__ == "__main__":
    asyncio.run(main())
