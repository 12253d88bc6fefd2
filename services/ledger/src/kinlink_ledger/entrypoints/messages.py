"""What the ledger's gRPC modules share: the service's name and message helpers."""

from __future__ import annotations

from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.grpc_helpers import timestamp

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["LedgerService"].full_name


def method(name: str) -> str:
    return grpc_helpers.method(SERVICE_NAME, name)


__all__ = ["SERVICE_NAME", "method", "timestamp"]
