"""The facility's own books, in one SQLite file: residents held, each resident's trust account,
and commissary packs to hand out.

A trust account is a list of entries, each unique by its kind and reference, so that an event
Kinlink delivers twice (it promises at least once) is written once. A Kinlink event that changes
the books is recorded by its `event_id` in the same transaction as its change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from uuid import UUID

_SCHEMA = """
CREATE TABLE IF NOT EXISTS residents (
    resident_id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    number INTEGER PRIMARY KEY AUTOINCREMENT, resident_id TEXT NOT NULL, kind TEXT NOT NULL,
    reference TEXT NOT NULL, amount_cents INTEGER NOT NULL, UNIQUE (kind, reference)
);
CREATE TABLE IF NOT EXISTS packs (
    order_id TEXT PRIMARY KEY, resident_id TEXT NOT NULL, vendor TEXT NOT NULL,
    items TEXT NOT NULL, total_cents INTEGER NOT NULL, status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS handled_events (event_id TEXT PRIMARY KEY);
"""


class EntryKind(StrEnum):
    DEPOSIT = "deposit"  # a family's deposit Kinlink captured, posted here
    PURCHASE = "purchase"  # commissary the resident bought, taken from the account at once
    ALLOWANCE = "allowance"  # the part of a purchase a family's allowance paid, given back


class ResidentStatus(StrEnum):
    HELD = "held"
    TRANSFERRED = "transferred"
    RELEASED = "released"


class PackStatus(StrEnum):
    TO_DELIVER = "to_deliver"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RESIDENT_LEFT = "resident_left"  # waits for the facility's decision
    DECIDED = "decided"


@dataclass(frozen=True)
class Entry:
    number: int
    resident_id: str
    kind: EntryKind
    reference: str
    amount_cents: int

    @property
    def posted_reference(self) -> str:
        """What the facility calls this entry: the id Kinlink keeps with the posted deposit."""
        return f"TA-{self.number:08d}"


@dataclass(frozen=True)
class Pack:
    order_id: UUID
    resident_id: str
    vendor: str
    items: list[dict[str, object]]
    total_cents: int
    status: PackStatus


class UnknownResident(LookupError):
    pass


class UnknownPack(LookupError):
    pass


class Books:
    def __init__(self, path: Path) -> None:
        # Transactions begun by hand (`_transaction`), not by the driver.
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def handling(self, event_id: UUID) -> Iterator[bool]:
        """One transaction for a Kinlink event's change and its record; yields whether the
        event is new (False: it was handled before, change nothing)."""
        with self._transaction() as db:
            handled = db.execute(
                "INSERT OR IGNORE INTO handled_events VALUES (?)", (str(event_id),)
            ).rowcount
            yield handled == 1

    # Residents: the facility's booking system is their source.

    def book(self, resident_id: str, first_name: str, last_name: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO residents VALUES (?, ?, ?, ?) ON CONFLICT (resident_id) DO "
                "UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name, "
                "status = excluded.status",
                (resident_id, first_name, last_name, ResidentStatus.HELD),
            )

    def leave(self, resident_id: str, status: ResidentStatus) -> None:
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE residents SET status = ? WHERE resident_id = ?", (status, resident_id)
            ).rowcount
            if not changed:
                raise UnknownResident(resident_id)

    def residents(self) -> list[sqlite3.Row]:
        return self._db.execute("SELECT * FROM residents ORDER BY resident_id").fetchall()

    # Trust accounts.

    def _entry(self, kind: EntryKind, reference: str, resident_id: str, amount_cents: int) -> Entry:
        """The entry `kind`/`reference`, written now unless it was before."""
        self._db.execute(
            "INSERT OR IGNORE INTO entries (resident_id, kind, reference, amount_cents) "
            "VALUES (?, ?, ?, ?)",
            (resident_id, kind, reference, amount_cents),
        )
        row = self._db.execute(
            "SELECT * FROM entries WHERE kind = ? AND reference = ?", (kind, reference)
        ).fetchone()
        return _entry(row)

    def post_deposit(self, deposit_id: UUID, resident_id: str, amount_cents: int) -> Entry:
        """The deposit credited to the resident's account, once however often it comes."""
        with self._transaction():
            return self._entry(EntryKind.DEPOSIT, str(deposit_id), resident_id, amount_cents)

    def take_purchase(self, order_reference: str, resident_id: str, amount_cents: int) -> Entry:
        with self._transaction():
            return self._entry(EntryKind.PURCHASE, order_reference, resident_id, -amount_cents)

    def give_back_allowance_part(
        self, allowance_id: UUID, order_reference: str, resident_id: str, amount_cents: int
    ) -> None:
        """Kinlink paid `amount_cents` of the purchase from a family's allowance (within the
        caller's `handling` transaction)."""
        reference = f"{allowance_id}/{order_reference}"
        self._entry(EntryKind.ALLOWANCE, reference, resident_id, amount_cents)

    def balance_cents(self, resident_id: str) -> int:
        (total,) = self._db.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM entries WHERE resident_id = ?",
            (resident_id,),
        ).fetchone()
        return int(total)

    def statement(self, resident_id: str) -> list[Entry]:
        rows = self._db.execute(
            "SELECT * FROM entries WHERE resident_id = ? ORDER BY number", (resident_id,)
        ).fetchall()
        return [_entry(row) for row in rows]

    # Commissary packs the vendor delivers to the facility (within `handling` when from Kinlink).

    def pack_to_deliver(
        self,
        order_id: UUID,
        resident_id: str,
        vendor: str,
        items: list[dict[str, object]],
        total_cents: int,
    ) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO packs VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(order_id),
                resident_id,
                vendor,
                json.dumps(items),
                total_cents,
                PackStatus.TO_DELIVER,
            ),
        )

    def mark_pack(self, order_id: UUID, status: PackStatus) -> Pack:
        updated = self._db.execute(
            "UPDATE packs SET status = ? WHERE order_id = ?", (status, str(order_id))
        ).rowcount
        if not updated:
            raise UnknownPack(str(order_id))
        return self.pack(order_id)

    def pack(self, order_id: UUID) -> Pack:
        row = self._db.execute(
            "SELECT * FROM packs WHERE order_id = ?", (str(order_id),)
        ).fetchone()
        if row is None:
            raise UnknownPack(str(order_id))
        return _pack(row)

    def packs(self) -> list[Pack]:
        return [_pack(r) for r in self._db.execute("SELECT * FROM packs ORDER BY rowid")]


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        row["number"],
        row["resident_id"],
        EntryKind(row["kind"]),
        row["reference"],
        row["amount_cents"],
    )


def _pack(row: sqlite3.Row) -> Pack:
    return Pack(
        UUID(row["order_id"]),
        row["resident_id"],
        row["vendor"],
        json.loads(row["items"]),
        row["total_cents"],
        PackStatus(row["status"]),
    )
