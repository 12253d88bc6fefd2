"""GetTrialBalance: the journal's accounts, their balances and whether they sum to zero."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role

from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.service_layer.ledger import Ledger

JOURNAL_POLICY: AccessPolicy = {
    method("GetTrialBalance"): frozenset({Role.OPERATOR, Role.AUDITOR}),
}


class JournalApi:
    ledger: Ledger

    async def GetTrialBalance(
        self, request: pb.GetTrialBalanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.TrialBalance:
        balances = await asyncio.to_thread(
            self.ledger.views.journal.balances, request.account_prefix
        )
        debits = sum(b.debits for b in balances)
        credits = sum(b.credits for b in balances)
        return pb.TrialBalance(
            accounts=[
                pb.AccountBalance(
                    account=b.account,
                    debit_cents=b.debits,
                    credit_cents=b.credits,
                    balance_cents=b.balance,
                )
                for b in balances
            ],
            total_debit_cents=debits,
            total_credit_cents=credits,
            balanced=debits == credits,
        )
