"""`kinlink deposit ...`: quote, confirm, show and list deposits."""

from __future__ import annotations

import uuid

import click
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.money import dollars
from kinlink_cli.money import parse_dollars
from kinlink_cli.output import emit_json


def show_quote(quote: pb.DepositQuote) -> None:
    click.echo(f"Quote {quote.quote_id}")
    click.echo(
        f"  deposit to {quote.resident_id} at {quote.facility_id}: {dollars(quote.amount_cents)}"
    )
    click.echo(f"  fee: {dollars(quote.fee_cents)}   total charged: {dollars(quote.total_cents)}")
    click.echo(
        f"  still allowed this week: {dollars(quote.weekly_remaining_cents)}"
        f" of {dollars(quote.weekly_limit_cents)}"
    )
    click.echo(f"  valid until {quote.expires_at.ToDatetime().isoformat()}Z")


def show_deposit(deposit: pb.Deposit) -> None:
    status = pb.DepositStatus.Name(deposit.status).removeprefix("DEPOSIT_STATUS_").lower()
    reason = f" ({deposit.decline_reason})" if deposit.decline_reason else ""
    click.echo(
        f"Deposit {deposit.deposit_id}: {status}{reason}, {dollars(deposit.amount_cents)}"
        f" to {deposit.resident_id} at {deposit.facility_id}, total {dollars(deposit.total_cents)}"
    )
    if deposit.HasField("receipt"):
        receipt = deposit.receipt
        click.echo(f"  receipt {receipt.receipt_number}, payment {receipt.payment_reference}")


@click.group()
def deposit() -> None:
    """Send money to a resident's account."""


@deposit.command()
@click.option("--facility", required=True, help="Facility id, e.g. FAC-DEMO.")
@click.option("--resident", required=True, help="Resident id at that facility.")
@click.option("--amount", required=True, help="Dollars, e.g. 50.00.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_connection
def quote(conn: Connection, facility: str, resident: str, amount: str, as_json: bool) -> None:
    """Show the fee, the total and what is still allowed this week (you are the depositor)."""
    request = pb.QuoteDepositRequest(
        facility_id=facility, resident_id=resident, amount_cents=parse_dollars(amount)
    )
    result = conn.call(ledger_pb2_grpc.LedgerServiceStub, "QuoteDeposit", request, as_json)
    emit_json(result) if as_json else show_quote(result)


@deposit.command()
@click.option("--quote", "quote_id", required=True, help="The quote id from `deposit quote`.")
@click.option("--payment-method", required=True, help="A card token, e.g. pm_card_visa.")
@click.option(
    "--idempotency-key",
    default=lambda: str(uuid.uuid4()),
    help="Repeat a confirmation safely by passing the same key (default: a new one).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_connection
def confirm(
    conn: Connection, quote_id: str, payment_method: str, idempotency_key: str, as_json: bool
) -> None:
    """Charge the card and deposit the quoted amount."""
    request = pb.ConfirmDepositRequest(
        quote_id=quote_id, payment_method=payment_method, idempotency_key=idempotency_key
    )
    result = conn.call(ledger_pb2_grpc.LedgerServiceStub, "ConfirmDeposit", request, as_json)
    emit_json(result) if as_json else show_deposit(result)


@deposit.command()
@click.argument("deposit_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_connection
def show(conn: Connection, deposit_id: str, as_json: bool) -> None:
    """Show one deposit and its receipt."""
    request = pb.GetDepositRequest(deposit_id=deposit_id)
    result = conn.call(ledger_pb2_grpc.LedgerServiceStub, "GetDeposit", request, as_json)
    emit_json(result) if as_json else show_deposit(result)


@deposit.command(name="list")
@click.option("--resident", help="Only deposits to this resident (needs --facility).")
@click.option("--facility", default="", help="The resident's facility.")
@click.option("--depositor", help="Operators and auditors: another depositor's deposits.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_connection
def list_(
    conn: Connection, resident: str | None, facility: str, depositor: str | None, as_json: bool
) -> None:
    """Your deposits, newest first; staff: a resident's deposits at their facility."""
    if depositor is not None and resident is not None:
        raise click.UsageError("give at most one of --depositor or --resident")
    if resident is not None and not facility:
        raise click.UsageError("--resident needs --facility")
    request = (
        pb.ListDepositsRequest(resident_id=resident, facility_id=facility)
        if resident is not None
        else pb.ListDepositsRequest(depositor_id=depositor or "")
    )
    result = conn.call(ledger_pb2_grpc.LedgerServiceStub, "ListDeposits", request, as_json)
    if as_json:
        emit_json(result)
        return
    for item in result.deposits:
        show_deposit(item)
    if not result.deposits:
        click.echo("No deposits yet.")
