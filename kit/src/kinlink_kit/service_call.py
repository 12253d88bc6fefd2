"""Calls from a service to another, as its own account (decision 0033): with its access
token and a deadline, timed in OUTGOING_RPC_SECONDS. A failure that may pass (the callee or
identity unreachable, too slow) becomes the caller's own "unavailable" error; the callee's
refusals are raised as they came, for the caller to read their codes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar
from typing import TypeVar

import grpc

from kinlink_kit.errors import Unavailable
from kinlink_kit.grpc_client import PASSING
from kinlink_kit.grpc_client import status_of
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import OUTGOING_RPC_SECONDS
from kinlink_kit.service_account import Metadata
from kinlink_kit.service_account import ServiceAccount

log = get_logger(__name__)
Answer = TypeVar("Answer")


def call_service(
    service_account: ServiceAccount,
    method: str,
    rpc: Callable[..., Answer],
    request: object,
    *,
    deadline_seconds: float,
    unavailable: Callable[[], Exception],
) -> Answer:
    """`rpc(request)`; `method` names it in logs and metrics, e.g. "ledger.Charge"."""

    def calling(metadata: Metadata) -> Answer:
        return rpc(request, metadata=metadata, timeout=deadline_seconds)

    started, code = time.perf_counter(), grpc.StatusCode.OK
    try:
        return service_account.call(calling)
    except Unavailable as error:  # no sign-in: nothing was asked of the callee
        code = grpc.StatusCode.UNAVAILABLE
        raise unavailable() from error
    except grpc.RpcError as error:
        code = status_of(error)
        if code in PASSING:
            log.warning("service unavailable", method=method, code=code.name)
            raise unavailable() from error
        raise
    finally:
        OUTGOING_RPC_SECONDS.labels(method, code.name).observe(time.perf_counter() - started)


class ServiceClient:
    """A channel to another service (`callee`, as metrics name it), called as this service's
    account; subclasses make their stub on `channel` and name their "unavailable"."""

    callee: ClassVar[str]
    unavailable: ClassVar[Callable[[], Exception]]
    # gRPC channel arguments, e.g. a larger `grpc.max_receive_message_length` for answers
    # carrying images.
    channel_options: ClassVar[tuple[tuple[str, int], ...]] = ()

    def __init__(
        self,
        target: str,
        service_account: ServiceAccount,
        deadline: timedelta = timedelta(seconds=5),
    ) -> None:
        self.channel = grpc.insecure_channel(target, options=self.channel_options)
        self._service_account = service_account
        self._deadline = deadline.total_seconds()

    def call(self, method: str, rpc: Callable[..., Answer], request: object) -> Answer:
        return call_service(
            self._service_account,
            f"{self.callee}.{method}",
            rpc,
            request,
            deadline_seconds=self._deadline,
            unavailable=type(self).unavailable,
        )

    def close(self) -> None:
        self.channel.close()
