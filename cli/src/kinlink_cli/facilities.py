"""`kinlink facility ...`: facilities and their rules (fees, limits, cards, prices, visits)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import click
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings_message import settings_message
from pydantic import ValidationError

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import call_identity
from kinlink_cli.identity import json_option
from kinlink_cli.money import dollars

REVIEW = {
    "review_all": "an officer reviews every message before the resident receives it",
    "review_none": "messages are delivered without review",
}


def read_settings(path: Path) -> FacilitySettings:
    """The settings file, checked here so a mistake is named before anything is sent."""
    readers = {".toml": tomllib.loads, ".json": json.loads}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise click.BadParameter("use a .toml or a .json file", param_hint="--settings")
    try:
        data = reader(path.read_text(encoding="utf-8"))
    except ValueError as error:  # what TOML, JSON and UTF-8 decoding raise
        raise click.BadParameter(f"{path.name}: {error}", param_hint="--settings") from None
    try:
        return FacilitySettings.model_validate(data)
    except ValidationError as error:
        problems = "\n".join(
            f"  {'.'.join(str(part) for part in problem['loc']) or '(file)'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise click.BadParameter(f"{path.name}:\n{problems}", param_hint="--settings") from None


def id_verification_rule(settings: pb.FacilitySettings) -> str:
    if settings.id_verification == "before_activation":
        return "before the account is activated"
    if settings.id_verification != "before_deposit":
        return "not required"
    if settings.id_verification_threshold_cents:
        limit = dollars(settings.id_verification_threshold_cents)
        return f"before a deposit, once deposits pass {limit} in 30 days"
    return "before every deposit"


def available(flag: bool) -> str:
    return "available" if flag else "not available"


def show_facility(facility: pb.Facility) -> None:
    settings = facility.settings
    click.echo(f"{facility.facility_id}  {settings.name}  (revision {facility.revision})")
    click.echo(f"  time zone: {settings.time_zone}")
    limit = dollars(settings.weekly_deposit_limit_cents)
    click.echo(f"  weekly deposit limit per resident (Sunday to Saturday): {limit}")
    fees = "; ".join(
        f"up to {dollars(tier.up_to_cents)}: {dollars(tier.fee_cents)}"
        for tier in settings.deposit_fee_tiers
    )
    click.echo(f"  deposit fees: {fees}")
    brands = ", ".join(brand.title() for brand in settings.accepted_card_brands)
    click.echo(f"  accepted cards: {brands} (prepaid cards are not supported)")
    click.echo(
        f"  message: {dollars(settings.message_price_cents)}"
        f"   image: {dollars(settings.image_price_cents)}"
    )
    if settings.video_stations:
        click.echo(
            f"  video visits: {dollars(settings.video_price_per_minute_cents)} a minute from home"
            f" (in the facility: free), {settings.video_stations} stations,"
            f" {' or '.join(str(minutes) for minutes in settings.video_slot_minutes)} minutes,"
            f" booked {settings.video_booking_lead_minutes} minutes to"
            f" {settings.video_booking_horizon_days} days ahead"
        )
        click.echo(
            f"  FCC size tier: {settings.facility_kind or 'jail'},"
            f" {settings.average_daily_population:,} people on average"
        )
        if settings.video_blackout_dates:
            click.echo(f"  no video visits on: {', '.join(settings.video_blackout_dates)}")
    else:
        click.echo("  video visits: not offered")
    click.echo(f"  review: {REVIEW.get(settings.review_policy, settings.review_policy)}")
    click.echo(
        f"  messaging: {'switched off' if settings.messaging_switched_off else 'on'}"
        f"   rejected messages refunded: {'yes' if settings.refund_rejected_messages else 'no'}"
    )
    rules = settings.image_rules
    click.echo(
        f"  images: {', '.join(rules.content_types)} up to {rules.max_bytes:,} bytes,"
        f" {rules.min_dimension_px:,} to {rules.max_dimension_px:,} px a side,"
        f" {rules.max_per_message} per message"
    )
    hours = ", ".join(
        f"{window.day} {window.opens}-{window.closes}" for window in settings.visiting_hours
    )
    click.echo(f"  visiting hours: {hours or 'none'}")
    click.echo(
        f"  SMS: {available(settings.sms_available)}"
        f"   picture messages (MMS): {available(settings.mms_available)}"
    )
    click.echo(
        f"  commissary: {available(settings.commissary_available)},"
        f" orders post on {settings.commissary_posting_day} at {settings.commissary_posting_time}"
        f" ({settings.commissary_payment_mode.replace('_', ' ')}),"
        f" allowances last {settings.allowance_period_days} days"
    )
    click.echo(f"  ID verification: {id_verification_rule(settings)}")


def show_facilities(result: pb.ListFacilitiesResponse) -> None:
    for facility in result.facilities:
        settings = facility.settings
        click.echo(f"{facility.facility_id}  {settings.name}  ({settings.time_zone})")
    if not result.facilities:
        click.echo("No facilities yet.")


@click.group()
def facility() -> None:
    """Facilities and their rules: deposit fees, weekly limit, accepted cards, prices, visits."""


@facility.command()
@click.argument("facility_id")
@click.option(
    "--settings",
    "settings_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A .toml or .json file with the facility's settings (the FacilitySettings fields).",
)
@json_option
@pass_connection
def configure(conn: Connection, facility_id: str, settings_file: Path, as_json: bool) -> None:
    """Operators: create a facility or replace its settings."""
    settings = read_settings(settings_file)
    request = pb.ConfigureFacilityRequest(
        facility_id=facility_id, settings=settings_message(settings)
    )
    call_identity(conn, "ConfigureFacility", request, as_json, show_facility)


@facility.command()
@click.argument("facility_id")
@json_option
@pass_connection
def show(conn: Connection, facility_id: str, as_json: bool) -> None:
    """A facility's rules: fees, weekly deposit limit, accepted cards, prices, visiting hours."""
    request = pb.GetFacilityRequest(facility_id=facility_id)
    call_identity(conn, "GetFacility", request, as_json, show_facility)


@facility.command(name="list")
@json_option
@pass_connection
def list_(conn: Connection, as_json: bool) -> None:
    """Every facility you can send money to."""
    call_identity(conn, "ListFacilities", pb.ListFacilitiesRequest(), as_json, show_facilities)
