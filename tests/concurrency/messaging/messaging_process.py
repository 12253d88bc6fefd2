"""Messaging as its own process, built and served as its bootstrap builds it (KINLINK_*
settings, the real Kafka and PostgreSQL, the ledger over gRPC, identity for its sign-in), its
images kept in memory: the messages of these tests carry none."""

from __future__ import annotations

from kinlink_kit.runtime import run_service
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.bootstrap import messaging_service

from tests.messaging_doubles import MemoryImageStore

if __name__ == "__main__":
    run_service(
        MessagingSettings(),
        lambda settings, bus: messaging_service(
            settings, bus, build_messaging(settings, images=MemoryImageStore())
        ),
    )
