"""`kinlink resident ...`: find the resident you send money to; list a facility's residents,
book, transfer and release."""

from __future__ import annotations

import click
from kinlink.identity.v1 import identity_pb2 as pb

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import call_identity
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say_next_page

NOT_FOUND_HINT = (
    "No resident found. Use four or more letters of their last name; if you still cannot find "
    "them, contact the facility for their resident ID."
)


def show_resident(resident: pb.Resident) -> None:
    where = f"{resident.resident_id} {resident.first_name} {resident.last_name}"
    if resident.status == pb.RESIDENT_STATUS_TRANSFERRED:
        state = (
            f"transferred to {resident.transferred_to_facility_id}"
            f" as {resident.transferred_to_resident_id}"
        )
    elif resident.status == pb.RESIDENT_STATUS_RELEASED:
        state = "released"
    else:
        state = "in custody"
    click.echo(f"{where} at {resident.facility_id}: {state}")


def show_found(result: pb.SearchResidentsResponse) -> None:
    for found in result.residents:
        click.echo(
            f"{found.resident_id}  {found.first_name} {found.last_name}"
            f"  at {found.facility_name} ({found.facility_id})"
        )
    if not result.residents:
        click.echo(NOT_FOUND_HINT)


STATUSES = {
    "in_custody": pb.RESIDENT_STATUS_IN_CUSTODY,
    "transferred": pb.RESIDENT_STATUS_TRANSFERRED,
    "released": pb.RESIDENT_STATUS_RELEASED,
}
STATUS_NAMES = {value: name.replace("_", " ") for name, value in STATUSES.items()}


def show_roll(page: pb.ListResidentsResponse) -> None:
    for listed in page.residents:
        click.echo(
            f"{listed.resident_id}  {listed.first_name} {listed.last_name}"
            f"  {STATUS_NAMES.get(listed.status, 'unknown')}"
        )
    if not page.residents:
        click.echo("No resident listed.")
    say_next_page(page.next_page_token)


facility_option = click.option("--facility", required=True, help="The facility id, e.g. FAC-DEMO.")
resident_option = click.option("--resident", required=True, help="The resident id there.")


@click.group()
def resident() -> None:
    """Find the resident you send money to. Operators and facilities also book, transfer and
    release residents."""


@resident.command()
@click.argument("last_name", required=False, default="")
@click.option("--id", "resident_id", default="", help="An exact resident id, from the facility.")
@click.option("--facility", default="", help="Only this facility.")
@json_option
@pass_connection
def search(
    conn: Connection, last_name: str, resident_id: str, facility: str, as_json: bool
) -> None:
    """Find a resident by four or more letters of their last name, or by their resident ID."""
    if not (last_name or resident_id):
        raise click.UsageError("give four or more letters of the last name, or --id")
    request = pb.SearchResidentsRequest(
        last_name=last_name, resident_id=resident_id, facility_id=facility
    )
    call_identity(conn, "SearchResidents", request, as_json, show_found)


@resident.command(name="list")
@facility_option
@click.option("--status", type=click.Choice(sorted(STATUSES)), help="Only residents in it.")
@page_size_option
@page_token_option
@json_option
@pass_connection
def list_residents(
    conn: Connection,
    facility: str,
    status: str | None,
    page_size: int,
    page_token: str,
    as_json: bool,
) -> None:
    """Staff: the facility's residents by last name, a page at a time."""
    request = pb.ListResidentsRequest(
        facility_id=facility,
        status=STATUSES[status] if status else pb.RESIDENT_STATUS_UNSPECIFIED,
        page_size=page_size,
        page_token=page_token,
    )
    call_identity(conn, "ListResidents", request, as_json, show_roll)


@resident.command()
@facility_option
@resident_option
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@json_option
@pass_connection
def book(
    conn: Connection, facility: str, resident: str, first_name: str, last_name: str, as_json: bool
) -> None:
    """Facilities and operators: a resident is now in custody at the facility."""
    request = pb.BookResidentRequest(
        facility_id=facility, resident_id=resident, first_name=first_name, last_name=last_name
    )
    call_identity(conn, "BookResident", request, as_json, show_resident)


@resident.command()
@facility_option
@resident_option
@click.option("--to-facility", required=True, help="The facility the resident moves to.")
@click.option("--to-resident", default="", help="Their id there (default: the same id).")
@json_option
@pass_connection
def transfer(
    conn: Connection,
    facility: str,
    resident: str,
    to_facility: str,
    to_resident: str,
    as_json: bool,
) -> None:
    """Facilities and operators: a resident moved to another facility."""
    request = pb.TransferResidentRequest(
        facility_id=facility,
        resident_id=resident,
        to_facility_id=to_facility,
        to_resident_id=to_resident,
    )
    call_identity(conn, "TransferResident", request, as_json, show_resident)


@resident.command()
@facility_option
@resident_option
@json_option
@pass_connection
def release(conn: Connection, facility: str, resident: str, as_json: bool) -> None:
    """Facilities and operators: a resident was released."""
    request = pb.ReleaseResidentRequest(facility_id=facility, resident_id=resident)
    call_identity(conn, "ReleaseResident", request, as_json, show_resident)
