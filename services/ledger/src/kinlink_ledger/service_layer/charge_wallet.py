"""Charge: a message, image, SMS segment or video minute paid from a family's wallet, at the
facility's price, once per caller's reference.

Refused whole with `insufficient_credit` when the wallet cannot cover it: the balance never goes
negative. A repeated reference returns the first charge; the same reference for something else
is refused with `reference_reused`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.facility import ServiceKind
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet import InsufficientCredit
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.ledger import Ledger

MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class ChargeWallet:
    account_id: UUID
    facility_id: str
    kind: str
    quantity: int
    reference: str


def charge_wallet(ledger: Ledger, command: ChargeWallet) -> WalletCharge:
    kind = parse_kind(command.kind)
    if not 1 <= command.quantity <= MAX_QUANTITY:
        raise InvalidArgument(
            "quantity_out_of_range", f"The quantity must be from 1 to {MAX_QUANTITY}."
        )
    if not command.reference.strip():
        raise InvalidArgument(
            "reference_missing", "A reference (the charged item's id) is required."
        )
    charge_id = WalletCharge.create_id(command.account_id, command.reference)
    # A repeated reference is found when its charge collides with the first one in the store
    # (or when the credit left no longer covers it): no read is spent on it beforehand.
    unit_price = ledger.facilities.get(command.facility_id).prices.unit_price(kind)
    amount = Cents(unit_price * command.quantity)

    def repeated() -> WalletCharge | None:
        first = ledger.find(charge_id, WalletCharge)
        return None if first is None else _repeated(first, command, kind)

    def attempt() -> WalletCharge:
        wallet = ledger.wallet(command.account_id)
        if wallet is None:
            raise InsufficientCredit(Cents(0), amount)
        try:
            paid = wallet.debit(charge_id, amount)
        except InsufficientCredit:
            first = repeated()
            if first is not None:
                return first
            raise
        charge = WalletCharge.make(
            command.account_id,
            command.reference,
            command.facility_id,
            kind,
            command.quantity,
            unit_price,
            paid,
            wallet.balance,
            ledger.clock(),
        )
        ledger.store.save(wallet, charge)
        return charge

    # A collision is with the first charge of this reference (then it is the answer), or with
    # another change to the wallet (then the wallet is charged as it is now).
    return ledger.retrying(attempt, on_conflict=repeated)


def parse_kind(raw: str) -> ServiceKind:
    try:
        return ServiceKind(raw)
    except ValueError:
        kinds = ", ".join(kind.value for kind in ServiceKind)
        raise InvalidArgument("kind_unknown", f"The kind of charge is one of: {kinds}.") from None


def _repeated(first: WalletCharge, command: ChargeWallet, kind: ServiceKind) -> WalletCharge:
    if not first.same_request(command.facility_id, kind, command.quantity):
        raise AlreadyExists(
            "reference_reused", "This reference was already charged for something else."
        )
    return first
