"""The commands staff run against the platform's data rather than through its APIs (auditors'
`ledger`, operators' `ops`): they check the signed-in session themselves, against the public
keys in KINLINK_JWT_PUBLIC_KEYS, and stop with exit status 2 when they cannot run."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import Unauthenticated
from kinlink_kit.settings import ServiceSettings

from kinlink_cli.connection import Connection
from kinlink_cli.session import load_access_token


def stop(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def require_role(
    connection: Connection, settings: ServiceSettings, role: Role, refusal: str
) -> Principal:
    """The session's principal if it has `role`; otherwise stop, saying `refusal`."""
    token = connection.token or load_access_token()
    if token is None:
        stop(f"sign in with an account with the {role.value} role first (kinlink account login)")
    try:
        principal = settings.token_verifier().principal(token)
    except Unauthenticated as error:
        stop(f"{error.code}: {error.message}")
    except ValueError as error:
        stop(str(error))
    if not principal.has(role):
        stop(refusal)
    return principal
