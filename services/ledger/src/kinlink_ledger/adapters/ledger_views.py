"""Every read model of the ledger, over one view store: what the service keeps up to date, and
what auditors rebuild from the stream to compare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_type_hints

from eventsourcing.utils import get_topic
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.views import ViewStore

from kinlink_ledger.adapters.deposit_history_view import DepositHistoryProjection
from kinlink_ledger.adapters.journal_view import JournalProjection
from kinlink_ledger.adapters.payments_in_flight_view import PaymentsInFlightProjection
from kinlink_ledger.adapters.receipts_view import ReceiptsProjection
from kinlink_ledger.adapters.resident_transactions_view import ResidentTransactionsProjection
from kinlink_ledger.adapters.wallet_history_view import WalletHistoryProjection


@dataclass
class LedgerViews:
    store: ViewStore
    deposits: DepositHistoryProjection
    journal: JournalProjection
    wallet_history: WalletHistoryProjection
    receipts: ReceiptsProjection
    resident_transactions: ResidentTransactionsProjection
    payments_in_flight: PaymentsInFlightProjection

    @classmethod
    def open(cls, app: TrackedApplication, store: ViewStore) -> LedgerViews:
        return cls(
            store=store,
            deposits=DepositHistoryProjection(app, store),
            journal=JournalProjection(app, store),
            wallet_history=WalletHistoryProjection(app, store),
            receipts=ReceiptsProjection(app, store),
            resident_transactions=ResidentTransactionsProjection(app, store),
            payments_in_flight=PaymentsInFlightProjection(app, store),
        )

    @property
    def projections(self) -> list[Projection]:
        return [
            self.deposits,
            self.journal,
            self.wallet_history,
            self.receipts,
            self.resident_transactions,
            self.payments_in_flight,
        ]

    @classmethod
    def viewed_topics(cls) -> frozenset[str]:
        """The stored event types some view is made of: the others change none of them."""
        return frozenset(
            get_topic(event_type)
            for hint in get_type_hints(cls).values()
            if isinstance(hint, type) and issubclass(hint, Projection)
            for event_type in hint.event_types
        )

    def follower(self) -> ProjectionGroup:
        """One reader of the ledger's log for all of them (the service runs it)."""
        return ProjectionGroup(self.deposits.app, self.projections)

    def close(self) -> None:
        self.store.close()
