"""`kinlink-embedded`: the whole platform in one process (`make run`)."""

from __future__ import annotations

import asyncio
from typing import Any

from kinlink_identity.adapters.token_signer import embedded_keys
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.bus import Bus
from kinlink_kit.logging import configure_logging
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import serve_metrics
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.runtime import serve
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.sqlite_bus import SQLiteBus
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from pydantic import SecretStr

from kinlink_embedded import demo


class EmbeddedSettings(ServiceSettings):
    service_name: str = "kinlink-embedded"


def banner(address: str, settings: EmbeddedSettings) -> None:
    target = "" if address.endswith(":50051") else f" --target {address}"
    print(
        f"\nKinlink (embedded) is listening for gRPC on {address}"
        f"\n  stores: {settings.data_dir}/*.sqlite   mail: {settings.data_dir}/mail/"
        f"   card processor: simulated"
        f"\n  demo facilities: FAC-DEMO (America/Chicago), FAC-EAST (America/New_York)"
        f"\n  demo logins: {demo.FAMILY_EMAIL} / {demo.FAMILY_PASSWORD} (family member),"
        f" {demo.OPERATOR_EMAIL} / {demo.OPERATOR_PASSWORD} (operator)"
        f"\nTry, in another terminal:"
        f"\n  uv run kinlink{target} account login --email {demo.FAMILY_EMAIL}"
        f"\n  uv run kinlink{target} resident search Love"
        f"\n  uv run kinlink{target} deposit quote --facility FAC-DEMO --resident R-1001"
        f" --amount 50.00"
        f"\n  uv run kinlink{target} deposit confirm --quote <quote id>"
        f" --payment-method pm_card_visa"
        f"\nStop with Ctrl-C.\n",
        flush=True,
    )


def platform(settings: EmbeddedSettings, bus: Bus) -> tuple[list[ServiceParts], TokenVerifier]:
    """Every service on its own SQLite store in one folder, and one token signing key (made on
    the first start) that identity signs with and every service verifies with."""
    key_id, private_pem, public_pem = embedded_keys(settings.data_dir)
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
    )
    # The simulated processor keeps its payments beside the stores: payments left in flight by a
    # kill are finished after the restart through the payments it remembers, as Stripe's would be.
    ledger_settings = LedgerSettings(
        **common,
        payment_processor="simulated",
        simulated_processor_state_file=settings.data_dir / "processor.json",
    )
    parts = [
        identity_service(identity_settings, bus, build_identity(identity_settings)),
        ledger_service(ledger_settings, bus, build_ledger(ledger_settings)),
    ]
    return parts, ledger_settings.token_verifier()


async def run(settings: EmbeddedSettings) -> None:
    bus = SQLiteBus.in_folder(settings.data_dir)
    parts, token_verifier = platform(settings, bus)

    async def ready(address: str) -> None:
        await demo.seed(address, settings.data_dir / "mail")
        banner(address, settings)

    await serve(
        parts,
        bus,
        host=settings.grpc_host,
        port=settings.grpc_port,
        grace_seconds=settings.shutdown_grace_seconds,
        worker_threads=settings.worker_threads,
        token_verifier=token_verifier,
        on_ready=ready,
    )


def main() -> None:
    settings = EmbeddedSettings()
    configure_logging(settings.service_name, settings.log_level)
    get_logger(__name__).info("starting embedded mode", data_dir=str(settings.data_dir))
    serve_metrics(settings.metrics_port, settings.metrics_host)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
