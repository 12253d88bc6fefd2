"""A random mix of everything that moves money in the ledger, for the invariant and audit tests:
deposits (some declined, some over the weekly limit), subscriptions set up on good and bad
cards, charges (some beyond the balance), refills, credits and disabled subscriptions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from kinlink_kit.errors import ClientError
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet, charge_wallet
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit, confirm_deposit
from kinlink_ledger.service_layer.disable_subscription import (
    DisableSubscription,
    disable_subscription,
)
from kinlink_ledger.service_layer.grant_credit import GrantCredit, grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit, quote_deposit
from kinlink_ledger.service_layer.refill_subscription import (
    RefillSubscription,
    refill_subscription,
)
from kinlink_ledger.service_layer.set_up_subscription import (
    SetUpSubscription,
    set_up_subscription,
)

from tests.ledger_facilities import choose_card

CARDS = ("pm_card_visa", "pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined")
KINDS = ("message", "image", "sms_segment", "mms", "video_minute")
FACILITIES = {"FAC-DEMO": (1000, 2000, 3000, 5000), "FAC-EAST": (1500, 2500)}


@dataclass
class Workload:
    rng: random.Random
    accounts: list[UUID] = field(default_factory=list)
    refused: int = 0  # steps the ledger refused, as it should some of them

    def run(self, ledger: Ledger, steps: int) -> None:
        actions = (
            self.deposit,
            self.set_up,
            self.charge,
            self.charge,
            self.charge,
            self.refill,
            self.credit,
            self.disable,
        )
        for _ in range(steps):
            try:
                self.rng.choice(actions)(ledger)
            except ClientError:
                self.refused += 1

    def _account(self) -> UUID:
        if not self.accounts or self.rng.random() < 0.2:
            self.accounts.append(uuid4())
        return self.rng.choice(self.accounts)

    def _facility(self) -> str:
        return self.rng.choice(sorted(FACILITIES))

    def deposit(self, ledger: Ledger) -> None:
        facility, depositor = self._facility(), str(self._account())
        resident = f"R-{self.rng.randint(1, 4)}"
        amount = Cents(self.rng.choice((500, 2000, 9999, 15000, 20000)))
        quote = quote_deposit(ledger, QuoteDeposit(facility, resident, depositor, amount))
        card = self.rng.choice(CARDS)
        confirm_deposit(ledger, ConfirmDeposit(str(quote.id), depositor, card, str(quote.id)))

    def set_up(self, ledger: Ledger) -> None:
        account, facility = self._account(), self._facility()
        choose_card(ledger, account, self.rng.choice(CARDS))
        amount = Cents(self.rng.choice(FACILITIES[facility]))
        set_up_subscription(ledger, SetUpSubscription(account, facility, amount))

    def charge(self, ledger: Ledger) -> None:
        command = ChargeWallet(
            self._account(),
            self._facility(),
            self.rng.choice(KINDS),
            self.rng.randint(1, 12),
            # Now and then a reference already used: charged once, or refused if it differs.
            f"ref-{self.rng.randint(1, 400)}",
        )
        charge_wallet(ledger, command)

    def refill(self, ledger: Ledger) -> None:
        refill_subscription(ledger, RefillSubscription(self._account()))

    def credit(self, ledger: Ledger) -> None:
        command = GrantCredit(
            self._account(),
            self._facility(),
            self.rng.choice(KINDS),
            Cents(self.rng.randint(1, 500)),
            "Refund approved on review",
            f"ticket-{self.rng.randint(1, 100)}",
            "operator-1",
        )
        grant_credit(ledger, command)

    def disable(self, ledger: Ledger) -> None:
        disable_subscription(ledger, DisableSubscription(self._account()))
