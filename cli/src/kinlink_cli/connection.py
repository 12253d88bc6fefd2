"""The connection to the platform, shared by every command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
import grpc

from kinlink_cli.output import emit_json
from kinlink_cli.output import fail
from kinlink_cli.session import load_access_token

# Answers may carry a message's images (5 MB each by default): above gRPC's 4 MB default.
MAX_ANSWER_BYTES = 64 * 1024 * 1024


@dataclass
class Connection:
    target: str
    timeout: float
    # From KINLINK_TOKEN; without it, the session `kinlink account login` saved.
    token: str | None = None

    def metadata(self) -> list[tuple[str, str]]:
        token = self.token or load_access_token()
        return [("authorization", f"Bearer {token}")] if token else []

    def call(
        self, stub_class: Callable[[grpc.Channel], Any], method: str, request: Any, as_json: bool
    ) -> Any:
        options = [("grpc.max_receive_message_length", MAX_ANSWER_BYTES)]
        with grpc.insecure_channel(self.target, options=options) as channel:
            try:
                return getattr(stub_class(channel), method)(
                    request, timeout=self.timeout, metadata=self.metadata()
                )
            except grpc.RpcError as error:
                fail(error, as_json)

    def answer(
        self,
        stub_class: Callable[[grpc.Channel], Any],
        method: str,
        request: Any,
        as_json: bool,
        show: Callable[[Any], None],
    ) -> Any:
        """Call, print the answer (JSON, or as `show` says) and return it."""
        result = self.call(stub_class, method, request, as_json)
        emit_json(result) if as_json else show(result)
        return result


pass_connection = click.make_pass_decorator(Connection)
