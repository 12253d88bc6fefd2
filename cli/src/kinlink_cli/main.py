"""`kinlink`: the command-line client."""

from __future__ import annotations

import click

from kinlink_cli.connection import Connection
from kinlink_cli.deposits import deposit


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
    """Kinlink: send money to people in jails and prisons."""
    context.obj = Connection(target, timeout)


cli.add_command(deposit)


def main() -> None:
    cli()
