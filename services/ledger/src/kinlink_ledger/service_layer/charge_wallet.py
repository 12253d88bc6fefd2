"""Charge: messages, images, SMS segments or video minutes paid from a family's wallet, at the
facility's prices, once per caller's reference.

One charge may hold several items (a message and its images): they are paid all or nothing.
Refused whole with `insufficient_credit` when the wallet cannot cover it: the balance never goes
negative. A repeated reference returns the first charge; the same reference for something else
is refused with `reference_reused`. Not made once its caller stopped waiting (`charge_too_late`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unavailable

from kinlink_ledger.domain.facility import ServiceKind
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet import InsufficientCredit
from kinlink_ledger.domain.wallet_charge import ChargedItem
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.ledger import Ledger

MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class ChargeItem:
    kind: str
    quantity: int


class ChargeTooLate(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "charge_too_late", "The charge was not made: its caller had stopped waiting."
        )


@dataclass(frozen=True)
class ChargeWallet:
    account_id: UUID
    facility_id: str
    items: tuple[ChargeItem, ...]
    reference: str
    # When the caller stops waiting (its deadline): a charge not made by then is not made at
    # all, so a caller that gave up knows that no charge can land after a while (decision 0034).
    answer_by: datetime | None = None

    @classmethod
    def single(
        cls, account_id: UUID, facility_id: str, kind: str, quantity: int, reference: str
    ) -> ChargeWallet:
        """A charge of one kind (an SMS's segments, a call's minutes)."""
        return cls(account_id, facility_id, (ChargeItem(kind, quantity),), reference)


def charge_wallet(ledger: Ledger, command: ChargeWallet) -> WalletCharge:
    requested = _parse_items(command.items)
    if not command.reference.strip():
        raise InvalidArgument(
            "reference_missing", "A reference (the charged item's id) is required."
        )
    charge_id = WalletCharge.create_id(command.account_id, command.reference)
    # A repeated reference is found when its charge collides with the first one in the store
    # (or when the credit left no longer covers it): no read is spent on it beforehand.
    prices = ledger.facilities.get(command.facility_id).prices
    items = tuple(
        ChargedItem(kind, quantity, prices.unit_price(kind)) for kind, quantity in requested
    )
    amount = Cents(sum(item.amount for item in items))

    def repeated() -> WalletCharge | None:
        first = ledger.find(charge_id, WalletCharge)
        if first is None:
            return None
        if not first.same_request(command.facility_id, requested):
            raise AlreadyExists(
                "reference_reused", "This reference was already charged for something else."
            )
        return first

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
        now = ledger.clock()
        if command.answer_by is not None and now > command.answer_by:
            raise ChargeTooLate()
        charge = WalletCharge.make(
            command.account_id,
            command.reference,
            command.facility_id,
            items,
            paid,
            wallet.balance,
            now,
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


def _parse_items(items: tuple[ChargeItem, ...]) -> tuple[tuple[ServiceKind, int], ...]:
    if not items:
        raise InvalidArgument("items_missing", "Name at least one thing to charge for.")
    parsed = []
    for item in items:
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise InvalidArgument(
                "quantity_out_of_range", f"The quantity must be from 1 to {MAX_QUANTITY}."
            )
        parsed.append((parse_kind(item.kind), item.quantity))
    if len({kind for kind, _ in parsed}) < len(parsed):
        raise InvalidArgument("kind_repeated", "Name each kind of thing charged for once.")
    return tuple(parsed)
