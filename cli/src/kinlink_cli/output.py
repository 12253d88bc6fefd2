"""How results and errors are shown: readable lines, or JSON with --json."""

from __future__ import annotations

import json
import sys
from typing import Any
from typing import NoReturn

import click
import grpc
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status


def as_dict(message: Message) -> dict[str, Any]:
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def emit_json(message: Message) -> None:
    click.echo(json.dumps(as_dict(message), indent=2))


def fail(error: grpc.RpcError, as_json: bool) -> NoReturn:
    """Print a gRPC error with its stable code and the field at fault, then exit 1."""
    code, field = "", ""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is not None:
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                code, field = info.reason, info.metadata.get("field", "")
    status_code = error.code()  # type: ignore[attr-defined]
    message = error.details()  # type: ignore[attr-defined]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "error": {
                        "status": status_code.name,
                        "code": code,
                        "field": field,
                        "message": message,
                    }
                },
                indent=2,
            )
        )
    else:
        where = f" ({field})" if field else ""
        click.echo(f"error: {code or status_code.name}{where}: {message}", err=True)
    sys.exit(1)
