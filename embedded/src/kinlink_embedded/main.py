"""`kinlink-embedded`: the whole platform, its web portal too, in one process (`make run`)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service
from kinlink_identity.adapters.token_signer import embedded_keys
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.bus import Bus
from kinlink_kit.large_buffers import return_large_buffers
from kinlink_kit.logging import configure_logging
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import serve_metrics
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.runtime import serve
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.sqlite_bus import SQLiteBus
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.bootstrap import messaging_service
from kinlink_portal.app import create_app
from kinlink_portal.main import serve_portal
from kinlink_portal.settings import PortalSettings
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.bootstrap import sms_gateway_service
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import visitation_service
from pydantic import Field
from pydantic import SecretStr
from starlette.applications import Starlette

from kinlink_embedded import demo

# The simulated processor's payments, beside the stores.
PROCESSOR_STATE = "processor.json"
# The staff account messaging signs in with to charge wallets (decision 0033).
MESSAGING_ACCOUNT = "messaging@kinlink.internal"
# The SMS gateway's: it charges SMS through the ledger and reads messages from messaging.
SMS_ACCOUNT = "sms-gateway@kinlink.internal"
# The commissary's: it holds allowances on cards and charges orders through the ledger.
COMMISSARY_ACCOUNT = "commissary@kinlink.internal"
# Visitation's: it charges video minutes to wallets through the ledger.
VISITATION_ACCOUNT = "visitation@kinlink.internal"
# The Kinlink numbers the simulated carrier sends from: one per conversation of a phone.
SMS_NUMBERS = ["+13125550700", "+13125550701", "+13125550702", "+13125550703"]


class EmbeddedSettings(ServiceSettings):
    service_name: str = "kinlink-embedded"
    # Messaging calls identity and the ledger at this address: it must be known before serving.
    grpc_port: int = Field(default=50051, ge=1, le=65535)
    # The web portal, served beside the services; identity's emails link to it.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)

    @property
    def portal_url(self) -> str:
        return f"http://{self.http_host}:{self.http_port}"

    @property
    def grpc_address(self) -> str:
        """Where the services in this process call each other."""
        host = "127.0.0.1" if self.grpc_host in ("0.0.0.0", "::", "") else self.grpc_host
        return f"{host}:{self.grpc_port}"


def banner(address: str, portal_url: str, settings: EmbeddedSettings) -> None:
    target = "" if address.endswith(":50051") else f" --target {address}"
    print(
        f"\nKinlink (embedded) is listening for gRPC on {address}"
        f"\n  web portal: {portal_url} (log in as the demo family below)"
        f"\n  stores: {settings.data_dir}/*.sqlite   mail: {settings.data_dir}/mail/"
        f"   message images: {settings.data_dir}/images/"
        f"\n  SMS: simulated carrier, each SMS a file in {settings.data_dir}/sms/"
        f"   card processor: simulated"
        f"\n  demo facilities: FAC-DEMO (America/Chicago), FAC-EAST (America/New_York)"
        f"\n  demo logins: {demo.FAMILY_EMAIL} / {demo.FAMILY_PASSWORD} (family member),"
        f" {demo.OPERATOR_EMAIL} / {demo.OPERATOR_PASSWORD} (operator),"
        f"\n    {demo.FACILITY_SYSTEM_EMAIL} / {demo.FACILITY_SYSTEM_PASSWORD}"
        f" (FAC-DEMO's system, posting residents' replies)"
        f"\nTry, in another terminal:"
        f"\n  uv run kinlink{target} account login --email {demo.FAMILY_EMAIL}"
        f"\n  uv run kinlink{target} resident search Love"
        f"\n  uv run kinlink{target} deposit quote --facility FAC-DEMO --resident R-1001"
        f" --amount 50.00"
        f"\n  uv run kinlink{target} deposit confirm --quote <quote id>"
        f" --payment-method pm_card_visa"
        f"\n  uv run kinlink{target} message send --facility FAC-DEMO --resident R-1001"
        f" --body 'Hello from home.'"
        f"\n  uv run kinlink{target} message sent"
        f"\n  uv run kinlink{target} sms status --facility FAC-DEMO --resident R-1001"
        f"\nStop with Ctrl-C.\n",
        flush=True,
    )


def platform(
    settings: EmbeddedSettings,
    bus: Bus,
    processor: SimulatedProcessor | None = None,
    rooms: SimulatedRooms | None = None,
) -> tuple[list[ServiceParts], TokenVerifier]:
    """Every service on its own SQLite store in one folder, and one token signing key (made on
    the first start) that identity signs with and every service verifies with. The ledger
    charges cards through `processor` (by default one its settings make). Messaging charges
    wallets through the ledger at `settings.grpc_address`, signed in as its service account, and
    keeps its images in a folder beside the stores. The SMS gateway does the same as its own
    service account, reads delivered messages from messaging there, and sends through the
    simulated carrier (each SMS a file under `sms/` in the data folder). The commissary holds
    allowances through the ledger there, as its own service account too, and visitation charges
    video minutes there as its own."""
    key_id, private_pem, public_pem = embedded_keys(settings.data_dir)
    messaging_password = derived_secret(settings, b"messaging service account")
    sms_password = derived_secret(settings, b"sms gateway service account")
    commissary_password = derived_secret(settings, b"commissary service account")
    visitation_password = derived_secret(settings, b"visitation service account")
    common: dict[str, Any] = {
        "data_dir": settings.data_dir,
        "kafka_bootstrap": None,
        "postgres_dsn": None,
        "jwt_public_keys": {key_id: public_pem},
    }
    identity_settings = IdentitySettings(
        **common,
        jwt_private_key=SecretStr(private_pem),
        jwt_key_id=key_id,
        mail_backend="folder",
        card_processor="simulated",
        bootstrap_operator_email=demo.OPERATOR_EMAIL,
        bootstrap_operator_password=SecretStr(demo.OPERATOR_PASSWORD),
        public_url=settings.portal_url,
        service_accounts={
            MESSAGING_ACCOUNT: messaging_password,
            SMS_ACCOUNT: sms_password,
            COMMISSARY_ACCOUNT: commissary_password,
            VISITATION_ACCOUNT: visitation_password,
        },
    )
    # The simulated processor keeps its payments beside the stores: payments left in flight by a
    # kill are finished after the restart through the payments it remembers, as Stripe's would be.
    ledger_settings = LedgerSettings(
        **common,
        payment_processor="simulated",
        simulated_processor_state_file=settings.data_dir / PROCESSOR_STATE,
    )
    messaging_settings = MessagingSettings(
        **common,
        s3_endpoint=None,
        identity_target=settings.grpc_address,
        ledger_target=settings.grpc_address,
        sms_gateway_target=settings.grpc_address,
        service_account_email=MESSAGING_ACCOUNT,
        service_account_password=messaging_password,
    )
    sms_settings = SmsSettings(
        **common,
        sms_numbers=SMS_NUMBERS,
        identity_target=settings.grpc_address,
        ledger_target=settings.grpc_address,
        messaging_target=settings.grpc_address,
        service_account_email=SMS_ACCOUNT,
        service_account_password=sms_password,
        sms_support_url=f"{settings.portal_url}/help/how-sms-works",
    )
    commissary_settings = CommissarySettings(
        **common,
        identity_target=settings.grpc_address,
        ledger_target=settings.grpc_address,
        service_account_email=COMMISSARY_ACCOUNT,
        service_account_password=commissary_password,
    )
    visitation_settings = VisitationSettings(
        **common,
        identity_target=settings.grpc_address,
        ledger_target=settings.grpc_address,
        service_account_email=VISITATION_ACCOUNT,
        service_account_password=visitation_password,
    )
    parts = [
        identity_service(identity_settings, bus, build_identity(identity_settings)),
        ledger_service(ledger_settings, bus, build_ledger(ledger_settings, processor)),
        messaging_service(messaging_settings, bus, build_messaging(messaging_settings)),
        sms_gateway_service(sms_settings, bus, build_sms_gateway(sms_settings)),
        commissary_service(commissary_settings, bus, build_commissary(commissary_settings)),
        visitation_service(
            visitation_settings, bus, build_visitation(visitation_settings, rooms=rooms)
        ),
    ]
    return parts, ledger_settings.token_verifier()


def derived_secret(settings: EmbeddedSettings, purpose: bytes) -> SecretStr:
    """A secret derived from the token signing key for `purpose`: it survives a restart, and
    there is no second secret to keep."""
    _, private_pem, _ = embedded_keys(settings.data_dir)
    return SecretStr(hmac.new(private_pem.encode(), purpose, hashlib.sha256).hexdigest())


def portal(
    settings: EmbeddedSettings,
    address: str,
    processor: SimulatedProcessor,
    rooms: SimulatedRooms | None = None,
) -> Starlette:
    """The portal calling the services at `address`, over plain HTTP on this computer. Its
    cookies are signed with a secret derived from the token signing key: sessions survive a
    restart, and there is no second secret to keep. A payment the card's bank checks (3-D
    Secure) is confirmed on its page standing in for the bank's, answered by `processor`."""
    portal_settings = PortalSettings(
        identity_target=address,
        ledger_target=address,
        messaging_target=address,
        sms_target=address,
        commissary_target=address,
        visitation_target=address,
        cookie_secret=derived_secret(settings, b"portal cookies"),
        secure_cookies=False,
        shutdown_grace_seconds=settings.shutdown_grace_seconds,
    )
    return create_app(portal_settings, card_issuer=processor.answer_challenge, video_room=rooms)


async def run(settings: EmbeddedSettings, stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set or a termination signal arrives."""
    bus = SQLiteBus.in_folder(settings.data_dir)
    processor = SimulatedProcessor(state_file=settings.data_dir / PROCESSOR_STATE)
    rooms = SimulatedRooms()  # visitation's video provider, whose room the portal's pages join
    parts, token_verifier = platform(settings, bus, processor, rooms)
    stop = stop or asyncio.Event()
    web: list[asyncio.Task[None]] = []

    async def ready(address: str) -> None:
        await demo.seed(address, settings.data_dir / "mail", settings.data_dir / "sms")
        started = asyncio.Future[str]()
        web.append(
            asyncio.create_task(
                serve_portal(
                    portal(settings, address, processor, rooms),
                    settings.http_host,
                    settings.http_port,
                    stop,
                    settings.shutdown_grace_seconds,
                    started,
                )
            )
        )
        banner(address, await started, settings)

    await serve(
        parts,
        bus,
        host=settings.grpc_host,
        port=settings.grpc_port,
        grace_seconds=settings.shutdown_grace_seconds,
        worker_threads=settings.worker_threads,
        token_verifier=token_verifier,
        on_ready=ready,
        stop=stop,
    )
    await asyncio.gather(*web)


def main() -> None:
    return_large_buffers()  # messaging's photos' pixels (decision 0102)
    settings = EmbeddedSettings()
    configure_logging(settings.service_name, settings.log_level)
    get_logger(__name__).info("starting embedded mode", data_dir=str(settings.data_dir))
    serve_metrics(settings.metrics_port, settings.metrics_host)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
