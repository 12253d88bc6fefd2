"""The double-entry journal: every money movement is an entry whose debits equal its credits.

An entry is recorded inside the event of the movement it books (a captured deposit, a wallet
funding, a charge, a credit, a hold and its capture or release), so the journal is part of the
immutable stream itself: auditors read it from there, and an entry that does not balance names
its event. Amounts are signed cents: a debit is positive, a credit negative, and every entry (and
so the whole journal) sums to zero.

Accounts (docs/architecture.md, "Money"):
- `card_clearing`: what card processors owe us for captured charges (an asset);
- `card_holds`: authorised, not yet captured, card holds (an asset held in suspense);
- `resident_trust:<facility>`: deposits owed to the facility's resident trust accounts;
- `fee_revenue:<facility>`: deposit fees;
- `wallet:<account>`: what a family's messaging subscription has prepaid and not spent;
- `credits:<account>`: credit an operator granted a family (spent before the wallet);
- `allowance_hold:<allowance>`: a commissary allowance's authorised amount not yet used;
- `service_revenue:<facility>:<kind>`: messages, images, SMS, video minutes, commissary.
"""

from __future__ import annotations

from collections.abc import Mapping

from kinlink_ledger.domain.money import Cents

# Account -> signed cents (debit positive); stored in events as a plain JSON object.
Entry = Mapping[str, int]

CARD_CLEARING = "card_clearing"
CARD_HOLDS = "card_holds"


def resident_trust(facility_id: str) -> str:
    return f"resident_trust:{facility_id}"


def fee_revenue(facility_id: str) -> str:
    return f"fee_revenue:{facility_id}"


def wallet(account_id: object) -> str:
    return f"wallet:{account_id}"


def credits(account_id: object) -> str:
    return f"credits:{account_id}"


def allowance_hold(allowance_id: object) -> str:
    return f"allowance_hold:{allowance_id}"


def service_revenue(facility_id: str, kind: str) -> str:
    return f"service_revenue:{facility_id}:{kind}"


class UnbalancedEntry(ValueError):
    """Debits and credits differ: the movement would create or destroy money."""


def debit(account: str, amount: Cents | int) -> tuple[str, int]:
    return account, _not_negative(amount)


def credit(account: str, amount: Cents | int) -> tuple[str, int]:
    return account, -_not_negative(amount)


def _not_negative(amount: int) -> int:
    if amount < 0:
        raise ValueError(f"a line's direction is its side, not a negative amount: {amount}")
    return amount


def entry(*lines: tuple[str, int]) -> dict[str, int]:
    """The entry of these lines, an account's lines netted, zero lines left out; raises
    UnbalancedEntry unless debits equal credits."""
    netted: dict[str, int] = {}
    for account, amount in lines:
        netted[account] = netted.get(account, 0) + amount
    booked = {account: amount for account, amount in netted.items() if amount != 0}
    imbalance = sum(booked.values())
    if imbalance != 0:
        raise UnbalancedEntry(f"debits and credits differ by {imbalance} cents: {booked}")
    return booked


def imbalance(recorded: Entry) -> int:
    """How far a recorded entry is from balancing (0 when it balances)."""
    return sum(recorded.values())
