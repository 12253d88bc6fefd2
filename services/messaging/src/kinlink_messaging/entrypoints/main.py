"""`kinlink-messaging`: messaging as its own process (distributed mode), configured by
KINLINK_*; `migrate` creates its tables and exits."""

from __future__ import annotations

from kinlink_kit.large_buffers import return_large_buffers
from kinlink_kit.runtime import run_service

from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.bootstrap import create_messaging_tables
from kinlink_messaging.bootstrap import messaging_service


def main() -> None:
    return_large_buffers()  # photos' pixels (decision 0102)
    run_service(
        MessagingSettings(),
        lambda settings, bus: messaging_service(settings, bus, build_messaging(settings)),
        create_messaging_tables,
    )


if __name__ == "__main__":
    main()
