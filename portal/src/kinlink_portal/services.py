"""The services the portal is a client of: one gRPC channel to each, and one way to call them
that turns their answers into what a page can show."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.logging import get_logger
from starlette.requests import Request

from kinlink_portal.settings import PortalSettings

log = get_logger(__name__)

Reply = TypeVar("Reply", bound=Message)
# An image messaging answers with is larger than gRPC's default 4 MB a reply may be.
MAX_REPLY_BYTES = 32 * 1024 * 1024
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", MAX_REPLY_BYTES)]


class Refusal(Exception):
    """A service refused the request with a stable code (e.g. `email_taken`) and, when the
    input was at fault, the request field (e.g. `email`)."""

    def __init__(self, code: str, field: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field


class Failure(Exception):
    """Something failed that the visitor cannot fix; `reference` is logged beside the cause so
    support can find it when they quote it."""

    def __init__(self, reference: str, unavailable: bool) -> None:
        super().__init__(reference)
        self.reference = reference
        self.unavailable = unavailable


class Services:
    """Channels to identity, the ledger, messaging, the SMS gateway, the commissary and
    visitation (in the embedded mode all are one address: one channel)."""

    def __init__(self, settings: PortalSettings) -> None:
        self.timeout = settings.call_timeout_seconds
        self._channels: dict[str, grpc.aio.Channel] = {}
        self.identity = identity_pb2_grpc.IdentityServiceStub(
            self._channel(settings.identity_target)
        )
        self.ledger = ledger_pb2_grpc.LedgerServiceStub(self._channel(settings.ledger_target))
        self.messaging = messaging_pb2_grpc.MessagingServiceStub(
            self._channel(settings.messaging_target)
        )
        self.sms = sms_pb2_grpc.SmsGatewayServiceStub(self._channel(settings.sms_target))
        self.commissary = commissary_pb2_grpc.CommissaryServiceStub(
            self._channel(settings.commissary_target)
        )
        self.visitation = visitation_pb2_grpc.VisitationServiceStub(
            self._channel(settings.visitation_target)
        )

    def _channel(self, target: str) -> grpc.aio.Channel:
        if target not in self._channels:
            self._channels[target] = grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)
        return self._channels[target]

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def call(
    request: Request,
    method: Callable[..., Awaitable[Reply]],
    message: Message,
    token: str | None = None,
) -> Reply:
    """Call a service for the visitor of `request` (as the signed-in person with `token`).

    Identity throttles failed log-ins by the caller's address, and the portal is the caller:
    it passes the visitor's address on in X-Forwarded-For (identity trusts the last entry)."""
    metadata = [
        ("x-correlation-id", request.state.correlation_id),
        ("x-forwarded-for", request.client.host if request.client else "unknown"),
    ]
    if token:
        metadata.append(("authorization", f"Bearer {token}"))
    try:
        return await method(message, timeout=services(request).timeout, metadata=metadata)
    except grpc.aio.AioRpcError as error:
        raise answer_of(error) from error


def answer_of(error: grpc.aio.AioRpcError) -> Refusal | Failure:
    """A refusal carries ErrorInfo with its stable code; anything else is a failure."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status is not None else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info) and info.reason:
            return Refusal(info.reason, info.metadata.get("field", ""))
    return failure(
        unavailable=error.code()
        in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED),
        status=error.code().name,
        details=error.details() or "",
    )


def failure(unavailable: bool = False, **cause: Any) -> Failure:
    reference = secrets.token_hex(4).upper()
    log.error("request failed", reference=reference, **cause)
    return Failure(reference, unavailable)
