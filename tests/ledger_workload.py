"""A random mix of everything that moves money in the ledger, for the invariant and audit tests:
deposits (some declined, some over the weekly limit), subscriptions set up on good and bad
cards, charges (some beyond the balance), refills, credits, disabled subscriptions, and
commissary allowances with their orders (some beyond the hold) and their ends, and commissary
orders charged (some declined, then asked again or charged by a later attempt)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from uuid import UUID
from uuid import uuid4

from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.commissary import AllowanceEnded
from kinlink_contracts.envelope import Envelope
from kinlink_kit.errors import ClientError
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.authorize_allowance import AuthorizeAllowance
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.charge_order import ChargeOrder
from kinlink_ledger.service_layer.charge_order import charge_order
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.consume_allowance import consume_allowance
from kinlink_ledger.service_layer.disable_subscription import DisableSubscription
from kinlink_ledger.service_layer.disable_subscription import disable_subscription
from kinlink_ledger.service_layer.end_allowance import allowance_ended
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit
from kinlink_ledger.service_layer.refill_subscription import RefillSubscription
from kinlink_ledger.service_layer.refill_subscription import refill_subscription
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription

from tests.ledger_facilities import Handler
from tests.ledger_facilities import add_cards
from tests.ledger_facilities import book
from tests.ledger_facilities import choose_card
from tests.ledger_facilities import deliver

CARDS = ("pm_card_visa", "pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined")
KINDS = ("message", "image", "sms_segment", "mms", "video_minute")
RESIDENTS = ("R-1", "R-2", "R-3", "R-4")
FACILITIES = {"FAC-DEMO": (1000, 2000, 3000, 5000), "FAC-EAST": (1500, 2500)}


@dataclass
class Workload:
    rng: random.Random
    accounts: list[UUID] = field(default_factory=list)
    allowances: list[tuple[UUID, str, str]] = field(default_factory=list)  # id, facility, resident
    orders: list[ChargeOrder] = field(default_factory=list)  # each order's last attempt
    refused: int = 0  # steps the ledger refused, as it should some of them

    def run(self, ledger: Ledger, steps: int) -> None:
        for facility in FACILITIES:
            book(ledger, facility, *RESIDENTS)
        actions = (
            self.deposit,
            self.set_up,
            self.charge,
            self.charge,
            self.charge,
            self.refill,
            self.credit,
            self.disable,
            self.allow,
            self.order,
            self.order,
            self.end_allowance,
            self.pay_order,
        )
        for _ in range(steps):
            try:
                self.rng.choice(actions)(ledger)
            except ClientError:
                self.refused += 1

    def _account(self, ledger: Ledger) -> UUID:
        """Now and then a new family member, who adds the workload's cards in identity."""
        if not self.accounts or self.rng.random() < 0.2:
            self.accounts.append(uuid4())
            add_cards(ledger, str(self.accounts[-1]), *sorted(set(CARDS)))
        return self.rng.choice(self.accounts)

    def _facility(self) -> str:
        return self.rng.choice(sorted(FACILITIES))

    def deposit(self, ledger: Ledger) -> None:
        facility, depositor = self._facility(), str(self._account(ledger))
        resident = self.rng.choice(RESIDENTS)
        amount = Cents(self.rng.choice((500, 2000, 9999, 15000, 20000)))
        quote = quote_deposit(ledger, QuoteDeposit(facility, resident, depositor, amount))
        card = self.rng.choice(CARDS)
        confirm_deposit(ledger, ConfirmDeposit(str(quote.id), depositor, card, str(quote.id)))

    def set_up(self, ledger: Ledger) -> None:
        account, facility = self._account(ledger), self._facility()
        choose_card(ledger, account, self.rng.choice(CARDS))
        amount = Cents(self.rng.choice(FACILITIES[facility]))
        set_up_subscription(ledger, SetUpSubscription(account, facility, amount))

    def charge(self, ledger: Ledger) -> None:
        command = ChargeWallet.single(
            self._account(ledger),
            self._facility(),
            self.rng.choice(KINDS),
            self.rng.randint(1, 12),
            # Now and then a reference already used: charged once, or refused if it differs.
            f"ref-{self.rng.randint(1, 400)}",
        )
        charge_wallet(ledger, command)

    def refill(self, ledger: Ledger) -> None:
        refill_subscription(ledger, RefillSubscription(self._account(ledger)))

    def credit(self, ledger: Ledger) -> None:
        command = GrantCredit(
            self._account(ledger),
            self._facility(),
            self.rng.choice(KINDS),
            Cents(self.rng.randint(1, 500)),
            "Refund approved on review",
            f"ticket-{self.rng.randint(1, 100)}",
            "operator-1",
        )
        grant_credit(ledger, command)

    def disable(self, ledger: Ledger) -> None:
        disable_subscription(ledger, DisableSubscription(self._account(ledger)))

    def allow(self, ledger: Ledger) -> None:
        allowance_id, facility = uuid4(), self._facility()
        resident = self.rng.choice(RESIDENTS)
        amount = Cents(self.rng.choice((2000, 5000)))
        card = self.rng.choice(CARDS)
        command = AuthorizeAllowance(
            allowance_id, self._account(ledger), facility, resident, amount, card
        )
        authorize_allowance(ledger, command)
        self.allowances.append((allowance_id, facility, resident))

    def order(self, ledger: Ledger) -> None:
        if not self.allowances:
            return
        allowance_id, facility, resident = self.rng.choice(self.allowances)
        consumed = AllowanceConsumed(
            allowance_id=allowance_id,
            facility_id=facility,
            resident_id=resident,
            order_id=f"order-{self.rng.randint(1, 300)}",
            amount_cents=self.rng.choice((500, 1500, 4000)),
        )
        self._from_commissary(ledger, consume_allowance, consumed)

    def end_allowance(self, ledger: Ledger) -> None:
        if not self.allowances:
            return
        allowance_id, facility, resident = self.allowances.pop(
            self.rng.randrange(len(self.allowances))
        )
        ended = AllowanceEnded(
            allowance_id=allowance_id, facility_id=facility, resident_id=resident
        )
        self._from_commissary(ledger, allowance_ended, ended)

    @staticmethod
    def _from_commissary(
        ledger: Ledger, handler: Handler, event: AllowanceConsumed | AllowanceEnded
    ) -> None:
        envelope = Envelope.wrap(
            event, key=event.resident_id, producer="commissary", correlation_id=""
        )
        deliver(ledger, handler, envelope)

    def pay_order(self, ledger: Ledger) -> None:
        """A new order charged, or a known one asked again: the same attempt, or the next one
        (another card, as after a decline)."""
        if self.orders and self.rng.random() < 0.5:
            last = self.orders.pop(self.rng.randrange(len(self.orders)))
            command = self.rng.choice(
                (
                    last,
                    replace(last, attempt=last.attempt + 1, payment_method=self.rng.choice(CARDS)),
                )
            )
        else:
            command = ChargeOrder(
                uuid4(),
                1,
                self._account(ledger),
                self._facility(),
                self.rng.choice(RESIDENTS),
                Cents(self.rng.choice((1200, 3500))),
                self.rng.choice(CARDS),
            )
        self.orders.append(command)
        charge_order(ledger, command)
