"""GrantCredit: an operator credits a family's wallet, e.g. a refund for a dropped video call
approved on review (requirements: "If approved, the refund will be issued as a credit to your
account"). Spent before card-funded credit; granted once per reference."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.ids import wallet_credit_id
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.charge_wallet import parse_kind
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallets import change_wallet

MAX_CREDIT = Cents(100_000)


@dataclass(frozen=True)
class GrantCredit:
    account_id: UUID
    facility_id: str
    kind: str  # the service the credit makes good
    amount: Cents
    reason: str
    reference: str  # e.g. the call or the support request it settles
    issued_by: str  # the operator's account id


def grant_credit(ledger: Ledger, command: GrantCredit) -> MessagingWallet:
    kind = parse_kind(command.kind)
    if not 0 < command.amount <= MAX_CREDIT:
        raise InvalidArgument(
            "amount_out_of_range", f"A credit is from 1 cent to {MAX_CREDIT} cents."
        )
    for name in ("reason", "reference"):
        if not getattr(command, name).strip():
            raise InvalidArgument(f"{name}_missing", f"A {name} is required.")
    ledger.facilities.get(command.facility_id)
    wallet, _ = change_wallet(
        ledger,
        command.account_id,
        lambda wallet: wallet.grant_credit(
            wallet_credit_id(command.account_id, command.reference),
            command.reference,
            command.amount,
            command.reason.strip(),
            command.issued_by,
            command.facility_id,
            kind.value,
        ),
        open_new=True,
    )
    return wallet
