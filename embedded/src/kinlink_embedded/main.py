"""`kinlink-embedded`: the whole platform in one process (`make run`)."""

from __future__ import annotations

import asyncio

from kinlink_kit.bus import InMemoryBus
from kinlink_kit.logging import configure_logging, get_logger
from kinlink_kit.metrics import serve_metrics
from kinlink_kit.runtime import serve
from kinlink_kit.settings import ServiceSettings
from kinlink_ledger.bootstrap import LedgerSettings, build_ledger, ledger_service

FIRST_COMMAND = (
    "kinlink deposit quote --facility FAC-DEMO --resident R-1001 "
    "--depositor demo-family --amount 50.00"
)


class EmbeddedSettings(ServiceSettings):
    service_name: str = "kinlink-embedded"


def banner(address: str, settings: EmbeddedSettings) -> None:
    print(
        f"\nKinlink (embedded) is listening for gRPC on {address}"
        f"\n  stores: {settings.data_dir}/*.sqlite   card processor: simulated"
        f"\n  demo facilities: FAC-DEMO (America/Chicago), FAC-EAST (America/New_York)"
        f"\nTry, in another terminal:\n  uv run {FIRST_COMMAND}"
        f"\nthen confirm the quote it prints:"
        f"\n  uv run kinlink deposit confirm --quote <quote id> --payment-method pm_card_visa"
        f"\nStop with Ctrl-C.\n",
        flush=True,
    )


async def run(settings: EmbeddedSettings) -> None:
    bus = InMemoryBus()
    # Every service keeps its own store; in this mode they are SQLite files in one folder.
    ledger_settings = LedgerSettings(
        data_dir=settings.data_dir,
        payment_processor="simulated",
        kafka_bootstrap=None,
        postgres_dsn=None,
    )
    parts = [ledger_service(ledger_settings, bus, build_ledger(ledger_settings))]
    await serve(
        parts,
        bus,
        host=settings.grpc_host,
        port=settings.grpc_port,
        grace_seconds=settings.shutdown_grace_seconds,
        worker_threads=settings.worker_threads,
        on_ready=lambda address: banner(address, settings),
    )


def main() -> None:
    settings = EmbeddedSettings()
    configure_logging(settings.service_name, settings.log_level)
    get_logger(__name__).info("starting embedded mode", data_dir=str(settings.data_dir))
    serve_metrics(settings.metrics_port, settings.metrics_host)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
