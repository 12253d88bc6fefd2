"""What every service's gRPC entrypoints share: method names for access policies, timestamps,
ids parsed from request fields, and naming the request field a domain refusal is about.

Use cases stay synchronous (the event store is) and servicers call them with
`await asyncio.to_thread(use_case, app, command)`: one line that says what leaves the event
loop (the kit's runtime sizes the worker threads), so no wrapper hides it (decision 0021).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import datetime
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp

from kinlink_kit.errors import ClientError
from kinlink_kit.errors import InvalidArgument


def method(service: str, name: str) -> str:
    """The full name gRPC gives a method, as access policies name it, e.g.
    /kinlink.ledger.v1.LedgerService/QuoteDeposit."""
    return f"/{service}/{name}"


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def parse_id(raw: str, field: str) -> UUID:
    """The id in request field `field`, or InvalidArgument `<field>_invalid` naming it."""
    try:
        return UUID(raw.strip())
    except ValueError:
        noun = field.removesuffix("_id").replace("_", " ")
        raise InvalidArgument(
            f"{field}_invalid", f"This is not a valid {noun} id.", field=field
        ) from None


@contextmanager
def request_fields(*tables: Mapping[str, str], **fields_by_code: str) -> Iterator[None]:
    """Name the request field a refusal is about, by its code: the domain says `card_not_found`,
    the entrypoint knows the id came in `card_id`. Tables shared by many methods come first,
    what one method names otherwise after them. A refusal already naming a field keeps it."""
    fields = {code: field for table in tables for code, field in table.items()} | fields_by_code
    try:
        yield
    except ClientError as refusal:
        if refusal.field is None and refusal.code in fields:
            refusal.field = fields[refusal.code]
        raise
