"""What every service's gRPC entrypoints share: method names for access policies, timestamps,
domain enums as proto enums, ids parsed from request fields, and naming the request field a
domain refusal is about.

Use cases stay synchronous (the event store is) and servicers call them with
`await asyncio.to_thread(use_case, app, command)`: one line that says what leaves the event
loop (the kit's runtime sizes the worker threads), so no wrapper hides it (decision 0021).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from enum import Enum
from typing import Any
from typing import TypeVar
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp

from kinlink_kit.errors import ClientError
from kinlink_kit.errors import InvalidArgument

Member = TypeVar("Member", bound=Enum)


def method(service: str, name: str) -> str:
    """The full name gRPC gives a method, as access policies name it, e.g.
    /kinlink.ledger.v1.LedgerService/QuoteDeposit."""
    return f"/{service}/{name}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timestamp(at: datetime) -> Timestamp:
    """`at` as a protobuf Timestamp (a naive datetime is taken as UTC, as protobuf's own
    `FromDatetime` takes it). Computed here with integers: `FromDatetime` is pure Python calendar
    work, and answers carry several timestamps each (~5% of a ledger answering deposits)."""
    since = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)) - _EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1_000)


def proto_enum(
    domain: type[Member], proto: Any, *, prefix: str | None = None, **shown_as: str
) -> dict[Member, Any]:
    """Each member of a domain enum as the value of the same name in a proto enum, named with the
    prefix of its zero value (`ACCOUNT_STATUS_UNSPECIFIED`: `AccountStatus.ACTIVE` is
    `ACCOUNT_STATUS_ACTIVE`). `shown_as` gives another value to a state clients do not see
    (`ENDING="AUTHORIZED"`). A member the proto lacks fails when the module loads, not when a
    client first meets it. `prefix` is for an enum whose values do not share its zero's."""
    prefix = prefix or proto.Name(0).removesuffix("UNSPECIFIED")
    return {
        member: proto.Value(prefix + shown_as.get(member.name, member.name)) for member in domain
    }


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
