"""`kinlink card ...`: the cards that pay for your deposits and your messaging subscription."""

from __future__ import annotations

import click
from kinlink.identity.v1 import identity_pb2 as pb

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import address_line
from kinlink_cli.identity import address_options
from kinlink_cli.identity import call_identity
from kinlink_cli.identity import changes
from kinlink_cli.identity import json_option
from kinlink_cli.identity import say


def show_card(card: pb.Card) -> None:
    click.echo(
        f"{card.brand.title()} ending in {card.last4}, expires {card.exp_month:02d}/{card.exp_year}"
        f"  (card {card.card_id})"
    )
    if address := address_line(card.billing_address):
        click.echo(f"  billing address: {address}")
    if card.funds_messaging_subscription:
        click.echo("  funds your messaging subscription")


def show_cards(result: pb.ListCardsResponse) -> None:
    for card in result.cards:
        show_card(card)
    if not result.cards:
        click.echo("No cards yet: add one with `kinlink card add PAYMENT_METHOD`.")


fund_option = click.option(
    "--fund-messaging-subscription",
    is_flag=True,
    help="Make this card your messaging subscription payment method, replacing the card "
    "currently funding it.",
)


@click.group()
def card() -> None:
    """Your payment methods. We accept Visa, Mastercard and Discover (some facilities differ);
    prepaid cards are not supported."""


@card.command()
@click.argument("payment_method")
@click.option(
    "--facility", default="", help="The facility you will pay at: its accepted cards apply."
)
@address_options("billing", "billing_address", required=True)
@fund_option
@json_option
@pass_connection
def add(
    conn: Connection,
    payment_method: str,
    facility: str,
    billing_address: pb.PostalAddress,
    fund_messaging_subscription: bool,
    as_json: bool,
) -> None:
    """Add a card by the payment processor's token for it (e.g. pm_card_visa), never its
    number."""
    request = pb.AddCardRequest(
        payment_method=payment_method,
        billing_address=billing_address,
        fund_messaging_subscription=fund_messaging_subscription,
        facility_id=facility,
    )
    call_identity(conn, "AddCard", request, as_json, show_card)


@card.command()
@click.argument("card_id")
@click.option("--exp-month", type=click.IntRange(1, 12), help="New expiry month, 1-12.")
@click.option("--exp-year", type=int, help="New expiry year, e.g. 2030.")
@address_options("billing", "billing_address")
@fund_option
@json_option
@pass_connection
def edit(
    conn: Connection,
    card_id: str,
    exp_month: int | None,
    exp_year: int | None,
    billing_address: pb.PostalAddress | None,
    fund_messaging_subscription: bool,
    as_json: bool,
) -> None:
    """Edit a card's expiry or billing address. The card funding your messaging subscription
    cannot be edited until you cancel the subscription or move it to another card."""
    given = changes(
        "e.g. --exp-month and --exp-year",
        exp_month=exp_month,
        exp_year=exp_year,
        billing_address=billing_address,
        fund_messaging_subscription=fund_messaging_subscription or None,
    )
    request = pb.EditCardRequest(card_id=card_id, fields=list(given), **given)
    call_identity(conn, "EditCard", request, as_json, show_card)


@card.command()
@click.argument("card_id")
@json_option
@pass_connection
def remove(conn: Connection, card_id: str, as_json: bool) -> None:
    """Remove a card. The card funding your messaging subscription cannot be removed until you
    cancel the subscription or move it to another card."""
    request = pb.RemoveCardRequest(card_id=card_id)
    call_identity(conn, "RemoveCard", request, as_json, say("Card removed."))


@card.command(name="list")
@json_option
@pass_connection
def list_(conn: Connection, as_json: bool) -> None:
    """Your cards."""
    call_identity(conn, "ListCards", pb.ListCardsRequest(), as_json, show_cards)
