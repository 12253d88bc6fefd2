"""What every part of the SMS gateway's API shares: the service's name, method names, the
roles that call it, and the request fields refusals are about."""

from __future__ import annotations

from uuid import UUID

from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import timestamp

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["SmsGatewayService"].full_name
# Family members manage and read their own SMS settings and history.
FAMILY = frozenset({Role.FAMILY_MEMBER})

# The request field a refusal is about, by its code, as every request naming it calls it.
REQUEST_FIELDS: dict[str, str] = {}


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)


def caller_account() -> UUID:
    """The signed-in family member's account."""
    return parse_id(current_principal().account_id, "account_id")


__all__ = ["FAMILY", "REQUEST_FIELDS", "SERVICE_NAME", "caller_account", "method", "timestamp"]
