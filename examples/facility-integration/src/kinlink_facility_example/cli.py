"""`kinlink-facility-example`: a facility's booking, trust-account and commissary desk.

Each report is written to the facility's books, then sent to Kinlink; run one again after a
failure and it is written once and sent again (Kinlink recognises what it had already).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import signal
import sys
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import TextIO
from uuid import UUID

from kinlink_contracts.commissary import PackDecision
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import CatalogItem
from kinlink_contracts.facility import CommissaryCatalogPublished
from kinlink_contracts.facility import CommissaryPackDecided
from kinlink_contracts.facility import CommissaryPackDelivered
from kinlink_contracts.facility import CommissaryPackShipped
from kinlink_contracts.facility import CommissaryPurchased
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentMessagePosted
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from pydantic import ValidationError

from kinlink_facility_example.books import Books
from kinlink_facility_example.books import PackStatus
from kinlink_facility_example.books import ResidentStatus
from kinlink_facility_example.books import UnknownPack
from kinlink_facility_example.books import UnknownResident
from kinlink_facility_example.follower import Follower
from kinlink_facility_example.reports import FacilityReports
from kinlink_facility_example.settings import FacilitySettings

Command = Callable[[argparse.Namespace, FacilitySettings, Books], Awaitable[None]]


def cents(text: str) -> int:
    """Dollars as typed ("12.50") in cents."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount of dollars: {text!r}") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"a positive amount in dollars and cents: {text!r}")
    return int(amount * 100)


async def report(settings: FacilitySettings, event: IntegrationEvent, key: str) -> None:
    async with FacilityReports.connected(
        settings.kafka_bootstrap, settings.topics.facility, settings.facility_id, settings.sign_in
    ) as reports:
        await reports.publish(event, key=key)


async def book(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    books.book(args.resident, args.first_name, args.last_name)
    booked = ResidentBooked(
        facility_id=settings.facility_id,
        resident_id=args.resident,
        first_name=args.first_name,
        last_name=args.last_name,
    )
    await report(settings, booked, args.resident)
    print(f"booked {args.resident}")


async def transfer(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    books.leave(args.resident, ResidentStatus.TRANSFERRED)
    transferred = ResidentTransferred(
        facility_id=settings.facility_id,
        resident_id=args.resident,
        to_facility_id=args.to_facility,
        to_resident_id=args.to_resident,
    )
    await report(settings, transferred, args.resident)
    print(f"transferred {args.resident} to {args.to_facility}")


async def release(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    books.leave(args.resident, ResidentStatus.RELEASED)
    released = ResidentReleased(facility_id=settings.facility_id, resident_id=args.resident)
    await report(settings, released, args.resident)
    print(f"released {args.resident}")


async def purchase(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    entry = books.take_purchase(args.order, args.resident, args.amount)
    purchased = CommissaryPurchased(
        facility_id=settings.facility_id,
        resident_id=args.resident,
        order_reference=args.order,
        amount_cents=args.amount,
        purchased_at=datetime.now(UTC),
    )
    await report(settings, purchased, args.resident)
    print(f"{args.resident} bought {args.order} for {args.amount} cents ({entry.posted_reference})")


async def reply(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    replied = ResidentMessagePosted(
        facility_id=settings.facility_id,
        resident_id=args.resident,
        account_id=args.account,
        body=args.body,
        collect=args.collect,
        client_key=args.key,
    )
    await report(settings, replied, args.resident)
    print(f"{args.resident} answered {args.account}")


async def pack(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    order_id: UUID = args.order
    event: IntegrationEvent
    if args.what == "shipped":
        event = CommissaryPackShipped(
            order_id=order_id, carrier=args.carrier, tracking_number=args.tracking
        )
    elif args.what == "delivered":
        event = CommissaryPackDelivered(order_id=order_id, delivered_at=datetime.now(UTC))
    else:
        event = CommissaryPackDecided(order_id=order_id, decision=args.decision, note=args.note)
    await report(settings, event, books.pack(order_id).resident_id)
    books.mark_pack(order_id, PACK_STATUS_AFTER[args.what])
    print(f"pack {order_id} {args.what}")


def catalog_items(rows: TextIO) -> tuple[CatalogItem, ...]:
    """Every row, or a ValueError naming the first bad one (Kinlink takes a catalog whole)."""
    items = []
    for line, row in enumerate(csv.DictReader(rows), start=2):
        try:
            items.append(CatalogItem.model_validate(row))
        except ValidationError as error:
            first = error.errors()[0]
            raise ValueError(f"line {line}, {first['loc'][0]}: {first['msg']}") from None
    return tuple(items)


async def catalog(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    with args.csv as rows:
        items = catalog_items(rows)
    published = CommissaryCatalogPublished(
        facility_id=settings.facility_id,
        vendor=args.vendor,
        order_limit_cents=args.order_limit,
        max_items_per_order=args.max_items,
        items=items,
    )
    await report(settings, published, settings.facility_id)
    print(f"published {len(items)} items from {args.vendor}")


PACK_STATUS_AFTER = {
    "shipped": PackStatus.SHIPPED,
    "delivered": PackStatus.DELIVERED,
    "decided": PackStatus.DECIDED,
}


async def show_packs(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    for each in books.packs():
        items = ", ".join(f"{item['quantity']} x {item['name']}" for item in each.items)
        print(f"{each.order_id}  {each.resident_id}  {each.status}  {each.vendor}: {items}")


async def account(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    for entry in books.statement(args.resident):
        print(
            f"{entry.posted_reference}  {entry.kind:<9}  {entry.amount_cents:>8}  {entry.reference}"
        )
    print(f"balance {books.balance_cents(args.resident)} cents")


async def follow(args: argparse.Namespace, settings: FacilitySettings, books: Books) -> None:
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with FacilityReports.connected(
        settings.kafka_bootstrap, settings.topics.facility, settings.facility_id, settings.sign_in
    ) as reports:
        await Follower(settings, books, reports).run(stop)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kinlink-facility-example",
        description="A facility system on Kinlink's Kafka topics (see its README).",
    )
    top.add_argument("--kafka-bootstrap", help="default: KINLINK_KAFKA_BOOTSTRAP")
    top.add_argument("--facility-id", help="default: KINLINK_FACILITY_ID")
    top.add_argument("--state-file", help="the facility's books (SQLite)")
    top.add_argument("--consumer-group", help="what `follow` commits its progress under")
    sub = top.add_subparsers(dest="command", required=True)

    def command(name: str, run: Command, help: str) -> argparse.ArgumentParser:
        parsed = sub.add_parser(name, help=help, description=help)
        parsed.set_defaults(run=run)
        return parsed

    def resident(parsed: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parsed.add_argument("resident", help="the facility's id for the resident")
        return parsed

    booking = resident(command("book", book, "book a resident into the facility"))
    booking.add_argument("first_name")
    booking.add_argument("last_name")
    moving = resident(command("transfer", transfer, "move a resident to another facility"))
    moving.add_argument("--to-facility", required=True)
    moving.add_argument("--to-resident", help="the id there, if not the same")
    resident(command("release", release, "release a resident from custody"))
    buying = resident(command("purchase", purchase, "report a commissary purchase"))
    buying.add_argument("--order", required=True, help="the facility's id for the purchase")
    buying.add_argument("--amount", required=True, type=cents, help="in dollars, e.g. 12.50")
    answering = resident(command("reply", reply, "post a resident's reply to a family member"))
    answering.add_argument("--account", required=True, type=UUID, help="the family member")
    answering.add_argument("--body", required=True)
    answering.add_argument("--key", required=True, help="the kiosk's id for the reply")
    answering.add_argument("--collect", action="store_true", help="the family member pays")
    packs = command("pack", pack, "report what became of a commissary pack")
    packs.add_argument("what", choices=["shipped", "delivered", "decided"])
    packs.add_argument("order", type=UUID)
    packs.add_argument("--carrier", default="facility")
    packs.add_argument("--tracking", default="-")
    packs.add_argument("--decision", type=PackDecision, choices=list(PackDecision))
    packs.add_argument("--note", default="")
    catalogs = command("catalog", catalog, "publish the vendor's commissary catalog, whole")
    catalogs.add_argument(
        "csv",
        type=argparse.FileType(encoding="utf-8-sig"),
        help="columns sku,name,description,category,price_cents,max_per_order",
    )
    catalogs.add_argument("--vendor", required=True)
    catalogs.add_argument("--order-limit", required=True, type=cents, help="in dollars")
    catalogs.add_argument("--max-items", required=True, type=int, help="per order")
    command("packs", show_packs, "list the commissary packs Kinlink's families paid for")
    resident(command("account", account, "a resident's trust account"))
    command("follow", follow, "post deposits and follow Kinlink's events until stopped")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parser().parse_args(argv)
    if args.command == "pack" and args.what == "decided" and args.decision is None:
        print("pack decided needs --decision", file=sys.stderr)
        return 2
    try:
        settings = FacilitySettings.from_env(
            kafka_bootstrap=args.kafka_bootstrap,
            facility_id=args.facility_id,
            facility_state_file=args.state_file,
            facility_consumer_group=args.consumer_group,
        )
        with closing(Books(settings.state_file)) as books:
            asyncio.run(args.run(args, settings, books))
    except (ValueError, UnknownResident, UnknownPack) as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2
    return 0
