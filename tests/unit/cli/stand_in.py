"""A stand-in gRPC service for the CLI's tests: it answers each method with what `answers`
holds for it (a reply, or a ClientError to refuse with) and records each request with its
caller's token, served on a free local port."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import grpc
from grpc_status import rpc_status
from kinlink_kit.errors import ClientError
from kinlink_kit.grpc_server import client_error_status


@dataclass
class StandIn:
    answers: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, Any, str]] = field(default_factory=list)

    def answer(self, method: str, request: Any, context: grpc.ServicerContext) -> Any:
        token = dict(context.invocation_metadata()).get("authorization", "")
        self.calls.append((method, request, token))
        reply = self.answers[method]
        if isinstance(reply, ClientError):
            context.abort_with_status(rpc_status.to_status(client_error_status(reply)))
        return reply


@contextmanager
def served(
    servicer: type, add_to_server: Callable[[Any, grpc.Server], None]
) -> Iterator[tuple[StandIn, str]]:
    """The stand-in serving every method of `servicer` (a generated Servicer class), and its
    address."""
    stand_in = StandIn()

    class Answering(servicer):  # type: ignore[misc,valid-type]
        def __getattribute__(self, name: str) -> Any:
            if name[0].isupper() and hasattr(servicer, name):
                return lambda request, context: stand_in.answer(name, request, context)
            return super().__getattribute__(name)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    add_to_server(Answering(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield stand_in, f"127.0.0.1:{port}"
    finally:
        server.stop(None)
