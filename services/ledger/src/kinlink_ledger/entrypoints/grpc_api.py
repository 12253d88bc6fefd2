"""kinlink.ledger.v1.LedgerService over gRPC, one module per part of the service."""

from __future__ import annotations

from kinlink.ledger.v1 import ledger_pb2_grpc

from kinlink_ledger.entrypoints.allowances_api import ALLOWANCES_POLICY
from kinlink_ledger.entrypoints.allowances_api import AllowancesApi
from kinlink_ledger.entrypoints.commissary_orders_api import COMMISSARY_ORDERS_POLICY
from kinlink_ledger.entrypoints.commissary_orders_api import CommissaryOrdersApi
from kinlink_ledger.entrypoints.deposits_api import DEPOSITS_POLICY
from kinlink_ledger.entrypoints.deposits_api import DepositsApi
from kinlink_ledger.entrypoints.journal_api import JOURNAL_POLICY
from kinlink_ledger.entrypoints.journal_api import JournalApi
from kinlink_ledger.entrypoints.messages import SERVICE_NAME
from kinlink_ledger.entrypoints.receipts_api import RECEIPTS_POLICY
from kinlink_ledger.entrypoints.receipts_api import ReceiptsApi
from kinlink_ledger.entrypoints.resident_transactions_api import RESIDENT_TRANSACTIONS_POLICY
from kinlink_ledger.entrypoints.resident_transactions_api import ResidentTransactionsApi
from kinlink_ledger.entrypoints.wallet_api import WALLET_POLICY
from kinlink_ledger.entrypoints.wallet_api import WalletApi
from kinlink_ledger.entrypoints.wallet_history_api import WALLET_HISTORY_POLICY
from kinlink_ledger.entrypoints.wallet_history_api import WalletHistoryApi
from kinlink_ledger.service_layer.ledger import Ledger

__all__ = ["ACCESS_POLICY", "SERVICE_NAME", "LedgerServicer"]

ACCESS_POLICY = {
    **DEPOSITS_POLICY,
    **RESIDENT_TRANSACTIONS_POLICY,
    **JOURNAL_POLICY,
    **WALLET_POLICY,
    **WALLET_HISTORY_POLICY,
    **RECEIPTS_POLICY,
    **ALLOWANCES_POLICY,
    **COMMISSARY_ORDERS_POLICY,
}


class LedgerServicer(
    DepositsApi,
    ResidentTransactionsApi,
    JournalApi,
    WalletApi,
    WalletHistoryApi,
    ReceiptsApi,
    AllowancesApi,
    CommissaryOrdersApi,
    ledger_pb2_grpc.LedgerServiceServicer,
):
    """Use cases are synchronous (the event store is); they run in worker threads."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
