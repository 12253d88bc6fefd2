"""The ledger application: its event store and the collaborators its use cases need."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field
from typing import ClassVar
from typing import Protocol
from uuid import UUID

from cachetools import LRUCache
from kinlink_kit.application import ServiceApplication
from kinlink_kit.eventstore import TrackedApplication

from kinlink_ledger.adapters.hash_chain import CHAINED_RECORDERS
from kinlink_ledger.adapters.ledger_views import LedgerViews
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositNotFound
from kinlink_ledger.domain.depositor_deposits import DepositorDeposits
from kinlink_ledger.domain.facility import FacilityRules
from kinlink_ledger.domain.payments import PaymentProcessor
from kinlink_ledger.domain.quote import DepositQuote
from kinlink_ledger.domain.quote import QuoteNotFound
from kinlink_ledger.domain.resident_week import ResidentWeek
from kinlink_ledger.domain.wallet import MessagingWallet


class FacilityDirectory(Protocol):
    """Where the ledger looks up a facility's rules."""

    def get(self, facility_id: str) -> FacilityRules: ...

    def forget(self, facility_id: str) -> None:
        """The facility's terms changed here: do not answer from memory any more."""


class LedgerStore(TrackedApplication):
    name = "ledger"
    # Auditors check the ledger's stream against its hash chain (decision 0010).
    recorders = CHAINED_RECORDERS
    # Aggregates stay in memory between requests and are brought up to date with only the events
    # saved since (by any replica): a busy wallet is not rebuilt from all its charges each time.
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def chain_links(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        """(position, previous hash, hash) of the events after `after`."""
        links: list[tuple[int, str, str]] = self.recorder.select_links(after, limit)  # type: ignore[attr-defined]
        return links


@dataclass
class Ledger(ServiceApplication[LedgerStore, LedgerViews]):
    facilities: FacilityDirectory
    payments: PaymentProcessor
    # Quotes never change once issued: the ones issued here are kept to spare a read on confirm.
    recent_quotes: LRUCache[UUID, DepositQuote] = field(
        default_factory=lambda: LRUCache(maxsize=100_000), init=False
    )
    _recent_quotes_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def issue(self, quote: DepositQuote) -> None:
        self.store.save(quote)
        with self._recent_quotes_lock:
            self.recent_quotes[quote.id] = quote

    def quote(self, quote_id: UUID) -> DepositQuote:
        with self._recent_quotes_lock:
            quote = self.recent_quotes.get(quote_id)
        if quote is None:
            quote = self.require(quote_id, DepositQuote, QuoteNotFound)
        return quote

    def deposit(self, deposit_id: UUID) -> Deposit:
        return self.require(deposit_id, Deposit, DepositNotFound)

    def wallet(self, account_id: UUID) -> MessagingWallet | None:
        return self.find(MessagingWallet.create_id(account_id), MessagingWallet)

    def week(self, facility_id: str, resident_id: str, week_start: str) -> ResidentWeek:
        """The resident's week, new and unsaved if nothing was reserved in it yet."""
        week_id = ResidentWeek.create_id(facility_id, resident_id, week_start)
        return self.find(week_id, ResidentWeek) or ResidentWeek(
            facility_id, resident_id, week_start
        )

    def depositor_deposits(self, depositor_id: str) -> DepositorDeposits:
        """The depositor's recent requests, new and unsaved if there were none yet."""
        found = self.find(DepositorDeposits.create_id(depositor_id), DepositorDeposits)
        return found if found is not None else DepositorDeposits(depositor_id)
