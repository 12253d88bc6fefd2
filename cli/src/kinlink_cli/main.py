"""`kinlink`: the command-line client."""

from __future__ import annotations

import os

import click

from kinlink_cli.accounts import account
from kinlink_cli.cards import card
from kinlink_cli.commissary import commissary
from kinlink_cli.connection import Connection
from kinlink_cli.deposits import deposit
from kinlink_cli.facilities import facility
from kinlink_cli.ledger_audit import ledger
from kinlink_cli.messages import message
from kinlink_cli.ops import ops
from kinlink_cli.residents import resident
from kinlink_cli.sms import sms
from kinlink_cli.visits import visit


@click.group()
@click.option(
    "--target",
    envvar="KINLINK_TARGET",
    default="127.0.0.1:50051",
    show_default=True,
    help="Where the platform's gRPC listens (env KINLINK_TARGET).",
)
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for an answer.")
@click.pass_context
def cli(context: click.Context, target: str, timeout: float) -> None:
    """Kinlink: send money to people in jails and prisons.

    Calls carry the access token of the session `kinlink account login` saved, or the one in
    the environment variable KINLINK_TOKEN (never an option: other users can read options)."""
    context.obj = Connection(target, timeout, os.environ.get("KINLINK_TOKEN") or None)


for group in (
    account,
    card,
    facility,
    resident,
    deposit,
    message,
    ledger,
    ops,
    sms,
    commissary,
    visit,
):
    cli.add_command(group)


def main() -> None:
    cli()
