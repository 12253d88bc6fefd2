"""The gRPC server every service runs: authentication, health, reflection, error mapping,
graceful shutdown."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

import grpc
from eventsourcing.persistence import IntegrityError
from google.protobuf import any_pb2
from google.rpc import code_pb2
from google.rpc import error_details_pb2
from google.rpc import status_pb2
from grpc_health.v1 import health
from grpc_health.v1 import health_pb2
from grpc_health.v1 import health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from kinlink_kit.auth import Authenticator
from kinlink_kit.auth import bind_principal
from kinlink_kit.auth import is_always_public
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import ConcurrentChange
from kinlink_kit.errors import ErrorKind
from kinlink_kit.logging import bind_contextvars
from kinlink_kit.logging import clear_contextvars
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import RPC_SECONDS

log = get_logger(__name__)

ERROR_DOMAIN = "kinlink"
CORRELATION_HEADER = "x-correlation-id"

_STATUS = {
    ErrorKind.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    ErrorKind.UNAUTHENTICATED: code_pb2.UNAUTHENTICATED,
    ErrorKind.NOT_FOUND: code_pb2.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    ErrorKind.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    ErrorKind.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    ErrorKind.RESOURCE_EXHAUSTED: code_pb2.RESOURCE_EXHAUSTED,
    ErrorKind.ABORTED: code_pb2.ABORTED,
    ErrorKind.UNAVAILABLE: code_pb2.UNAVAILABLE,
}


def client_error_status(error: ClientError) -> status_pb2.Status:
    """A rich status: ErrorInfo carries the stable code, BadRequest the field at fault."""
    info = any_pb2.Any()
    info.Pack(
        error_details_pb2.ErrorInfo(
            reason=error.code,
            domain=ERROR_DOMAIN,
            metadata={"field": error.field} if error.field else {},
        )
    )
    details = [info]
    if error.field:
        bad_request = any_pb2.Any()
        bad_request.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=error.field, description=error.message, reason=error.code
                    )
                ]
            )
        )
        details.append(bad_request)
    return status_pb2.Status(code=_STATUS[error.kind], message=error.message, details=details)


def internal_error_status(reference: str) -> status_pb2.Status:
    return status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"Something went wrong on our side. Reference code {reference}.",
    )


class ErrorMappingInterceptor(grpc.aio.ServerInterceptor):
    """Binds the correlation id, authenticates the caller, times each call, and turns exceptions
    into statuses: a ClientError (a refused token too) into its code, anything unexpected into
    INTERNAL with a reference code logged beside the traceback so support can find it."""

    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or handler.unary_unary is None:
            # Only health and reflection stream, and they are public. Any other streaming method
            # would escape authentication, so it is not served (the caller sees UNIMPLEMENTED).
            return handler if is_always_public(method) else None
        inner = handler.unary_unary

        async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
            clear_contextvars()
            metadata = dict(context.invocation_metadata() or ())
            bind_contextvars(
                correlation_id=metadata.get(CORRELATION_HEADER) or secrets.token_hex(8),
                rpc=method,
            )
            bind_principal(None)  # nothing of a previous call may leak into this one
            started, code = time.perf_counter(), "OK"
            try:
                principal = self.authenticator.authenticate(method, metadata)
                if principal is not None:
                    bind_principal(principal)
                    bind_contextvars(account_id=principal.account_id)
                return await inner(request, context)
            except (ClientError, IntegrityError) as refusal:
                # A use case that lost a race on the store's unique key (two registrations of one
                # new facility, say) did nothing: the caller may ask again.
                error = refusal if isinstance(refusal, ClientError) else ConcurrentChange()
                status = client_error_status(error)
                code = code_pb2.Code.Name(status.code)
                log.info("rpc refused", code=error.code, field=error.field)
                await context.abort_with_status(rpc_status.to_status(status))
            except asyncio.CancelledError:
                code = "CANCELLED"
                raise
            except Exception:
                if context.code() not in (None, grpc.StatusCode.OK):
                    raise  # already aborted on purpose by the servicer
                reference = secrets.token_hex(4).upper()
                code = "INTERNAL"
                log.exception("rpc failed", reference=reference)
                await context.abort_with_status(
                    rpc_status.to_status(internal_error_status(reference))
                )
            finally:
                RPC_SECONDS.labels(method, code).observe(time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class GrpcServer:
    """An aio gRPC server with the standard health and reflection services. Every server
    authenticates: a call is served only if `authenticator`'s policy admits it."""

    def __init__(
        self,
        host: str,
        port: int,
        service_names: Iterable[str],
        *,
        authenticator: Authenticator,
        max_request_bytes: int | None = None,
    ) -> None:
        options = (
            [("grpc.max_receive_message_length", max_request_bytes)] if max_request_bytes else []
        )
        self.server = grpc.aio.server(
            interceptors=[ErrorMappingInterceptor(authenticator)], options=options
        )
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.service_names = list(service_names)
        reflection.enable_server_reflection(
            [*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
        )
        self.port = self.server.add_insecure_port(f"{host}:{port}")
        self.address = f"{host}:{self.port}"

    async def start(self) -> None:
        await self.server.start()
        for name in ["", *self.service_names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("grpc listening", address=self.address)

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING first so load balancers drain us, then finish calls in flight."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
