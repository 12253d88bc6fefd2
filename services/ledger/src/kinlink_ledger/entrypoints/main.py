"""`kinlink-ledger`: the ledger as its own process (distributed mode), configured by KINLINK_*."""

from __future__ import annotations

import asyncio

from kinlink_kit.bus import InMemoryBus, KafkaBus
from kinlink_kit.logging import configure_logging
from kinlink_kit.metrics import serve_metrics
from kinlink_kit.runtime import serve

from kinlink_ledger.bootstrap import LedgerSettings, build_ledger, ledger_service


async def run(settings: LedgerSettings) -> None:
    bus = (
        KafkaBus(settings.kafka_bootstrap, client_id=settings.service_name)
        if settings.kafka_bootstrap
        else InMemoryBus()
    )
    ledger = build_ledger(settings)
    await serve(
        [ledger_service(settings, bus, ledger)],
        bus,
        host=settings.grpc_host,
        port=settings.grpc_port,
        grace_seconds=settings.shutdown_grace_seconds,
        worker_threads=settings.worker_threads,
    )


def main() -> None:
    settings = LedgerSettings()
    configure_logging(settings.service_name, settings.log_level)
    serve_metrics(settings.metrics_port, settings.metrics_host)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
