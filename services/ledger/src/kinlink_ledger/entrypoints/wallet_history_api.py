"""ListWalletHistory: a family's fundings, charges and credits of their messaging subscription."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import proto_enum

from kinlink_ledger.adapters.wallet_history_view import WalletEntryKind
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.entrypoints.wallet_api import own_or_named_account
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallet_history import WalletHistoryEntry
from kinlink_ledger.service_layer.wallet_history import list_wallet_history

WALLET_HISTORY_POLICY: AccessPolicy = {
    method("ListWalletHistory"): frozenset({Role.FAMILY_MEMBER, Role.OPERATOR, Role.AUDITOR}),
}

_KIND = proto_enum(WalletEntryKind, pb.WalletEntryKind)


def entry_message(entry: WalletHistoryEntry) -> pb.WalletHistoryEntry:
    return pb.WalletHistoryEntry(
        kind=_KIND[entry.kind],
        entry_id=entry.entry_id,
        amount_cents=entry.amount,
        description=entry.description,
        facility_id=entry.facility_id,
        receipt_number=entry.receipt_number,
        occurred_at=timestamp(entry.occurred_at),
    )


class WalletHistoryApi:
    ledger: Ledger

    async def ListWalletHistory(
        self, request: pb.ListWalletHistoryRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWalletHistoryResponse:
        # Family members get their own; operators and auditors name the account.
        account_id = own_or_named_account(current_principal(), request.account_id)
        entries = await asyncio.to_thread(list_wallet_history, self.ledger, account_id)
        return pb.ListWalletHistoryResponse(entries=[entry_message(e) for e in entries])
