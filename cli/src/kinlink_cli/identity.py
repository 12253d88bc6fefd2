"""What the account, card, facility and resident commands share: calls to the identity service,
`--json`, postal address options, and secrets read without showing them."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any
from typing import TypeVar
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import click
from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc

from kinlink_cli.connection import Connection

Command = TypeVar("Command", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
# The paged lists (residents of a facility, staff accounts).
page_size_option = click.option(
    "--page-size", default=50, show_default=True, help="Rows a page (1 to 200)."
)
page_token_option = click.option(
    "--page-token", default="", help="Where the previous page said to go on."
)


def say_next_page(token: str) -> None:
    if token:
        click.echo(f"More: add --page-token={token}")


def call_identity(
    conn: Connection,
    method: str,
    request: Message,
    as_json: bool,
    show: Callable[[Any], None],
) -> Any:
    """Call one IdentityService method, print its answer (JSON or `show`) and return it."""
    return conn.answer(identity_pb2_grpc.IdentityServiceStub, method, request, as_json, show)


def say(text: str) -> Callable[[Any], None]:
    """A `show` for answers that carry nothing to show (`Accepted`)."""
    return lambda _: click.echo(text)


# (option suffix, PostalAddress field, help, required when the address is)
_ADDRESS_PARTS = (
    ("line1", "line1", "street address", True),
    ("line2", "line2", "apartment, suite or unit", False),
    ("city", "city", "city", True),
    ("state", "region", "state, e.g. IL", True),
    ("zip", "postal_code", "ZIP code", True),
    ("country", "country", "country code (default US)", False),
)


def address_options(
    prefix: str, param: str, required: bool = False
) -> Callable[[Command], Command]:
    """Add `--PREFIX-line1 ... --PREFIX-country` and pass them to the command as one `param`: a
    PostalAddress, or None when none of them was given."""

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def with_address(*args: Any, **kwargs: Any) -> Any:
            parts = {
                field: kwargs.pop(f"{prefix}_{suffix}") for suffix, field, *_ in _ADDRESS_PARTS
            }
            if all(value is None for value in parts.values()):
                kwargs[param] = None
            else:
                parts["country"] = parts["country"] or "US"
                kwargs[param] = pb.PostalAddress(
                    **{key: value or "" for key, value in parts.items()}
                )
            return command(*args, **kwargs)

        decorated: Any = with_address
        for suffix, _, help_text, needed in reversed(_ADDRESS_PARTS):
            decorated = click.option(
                f"--{prefix}-{suffix}", required=required and needed, help=f"The {help_text}."
            )(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


def changes(hint: str, **values: Any) -> dict[str, Any]:
    """The values given (not None), for edits whose request names the fields that change."""
    given = {name: value for name, value in values.items() if value is not None}
    if not given:
        raise click.UsageError(f"nothing to change: give {hint}")
    return given


def token_from(link_or_token: str) -> str:
    """The token of an emailed link, so people can paste either the link or the token alone."""
    url = urlsplit(link_or_token.strip())
    if not url.scheme:
        return url.path
    return parse_qs(url.query).get("token", [url.path.rstrip("/").rpartition("/")[2]])[0]


def address_line(address: pb.PostalAddress) -> str:
    parts = (address.line1, address.line2, address.city, f"{address.region} {address.postal_code}")
    return ", ".join(part.strip() for part in parts if part.strip())


def secret(name: str, prompt: str, confirm: bool = False) -> Callable[[Command], Command]:
    """Pass the command a secret `name` (a password, an SSN), asked for without echoing it, or
    read from the first line of standard input with `--NAME-stdin`: never an option value,
    which anyone on the machine could read in the process list."""
    flag = f"{name}_stdin"

    def decorate(command: Command) -> Command:
        @click.option(
            f"--{name.replace('_', '-')}-stdin",
            flag,
            is_flag=True,
            help=f"Read the {prompt.lower()} from the first line of standard input.",
        )
        @functools.wraps(command)
        def with_secret(*args: Any, **kwargs: Any) -> Any:
            if kwargs.pop(flag):
                value = sys.stdin.readline().rstrip("\r\n")
                if not value:
                    raise click.UsageError(f"standard input had no {prompt.lower()}")
            else:
                value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
            kwargs[name] = value
            return command(*args, **kwargs)

        return with_secret  # type: ignore[return-value]

    return decorate


token_argument = click.argument(
    "token",
    metavar="LINK_OR_TOKEN",
    callback=lambda _context, _param, value: token_from(value),
)
