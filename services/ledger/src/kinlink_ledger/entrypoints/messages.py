"""What the ledger's gRPC modules share: the service's name and message helpers."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import method_name

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["LedgerService"].full_name


def method(name: str) -> str:
    return method_name(SERVICE_NAME, name)


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp
