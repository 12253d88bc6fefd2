"""Hypothesis drives fundings, charges (of one kind or several), refunds, credits, refills and
disabling against the wallet; the ledger must agree with a simple model, never let a balance go
negative, spend operators' credit first, charge a reference once, refund it once and exactly,
and keep a journal that balances with each wallet's accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from uuid import UUID
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import rule
from kinlink_kit.errors import ClientError
from kinlink_kit.testing import Clock
from kinlink_kit.views import SqliteViews
from kinlink_ledger.adapters.facility_terms_directory import FacilityTermsDirectory
from kinlink_ledger.adapters.ledger_views import LedgerViews
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.charge_wallet import ChargeItem
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.disable_subscription import DisableSubscription
from kinlink_ledger.service_layer.disable_subscription import disable_subscription
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.ledger import LedgerStore
from kinlink_ledger.service_layer.refill_subscription import RefillSubscription
from kinlink_ledger.service_layer.refill_subscription import refill_subscription
from kinlink_ledger.service_layer.refund_charge import RefundCharge
from kinlink_ledger.service_layer.refund_charge import refund_charge
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription

from tests.ledger_facilities import choose_card
from tests.ledger_facilities import configure_demo_facilities

PRICES = {"message": 50, "image": 100, "sms_segment": 50, "mms": 100, "video_minute": 25}
FUNDING = 1000
NOW = datetime(2026, 11, 25, 18, tzinfo=UTC)
REFERENCES = st.sampled_from([f"ref-{n}" for n in range(8)])
CARDS = st.sampled_from(["pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined"])


@dataclass
class ModelWallet:
    """What the wallet should hold, counted the plain way."""

    active: bool = False
    funds: int = 0
    credits: int = 0
    card_ok: bool = True


@dataclass
class ModelCharge:
    amount: int
    from_credits: int
    refunded: bool = False


class WalletMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        store = LedgerStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.ledger = Ledger(
            store=store,
            views=LedgerViews.open(store, SqliteViews(":memory:")),
            facilities=FacilityTermsDirectory(store),
            payments=SimulatedProcessor(),
            clock=Clock(NOW),
        )
        configure_demo_facilities(self.ledger)
        self.model: dict[UUID, ModelWallet] = defaultdict(ModelWallet)
        self.charged: dict[tuple[UUID, str], ModelCharge] = {}

    @initialize(target=accounts)
    def first_account(self) -> UUID:
        return uuid4()

    @rule(target=accounts)
    def another_account(self) -> UUID:
        return uuid4()

    @rule(account=accounts, card=CARDS)
    def choose_card(self, account: UUID, card: str) -> None:
        choose_card(self.ledger, account, card)
        self.model[account].card_ok = card != "pm_card_chargeDeclined"

    @rule(account=accounts)
    def set_up(self, account: UUID) -> None:
        wallet = self.model[account]
        try:
            set_up_subscription(self.ledger, SetUpSubscription(account, "FAC-DEMO", Cents(FUNDING)))
        except ClientError:
            return
        assert not wallet.active
        wallet.active = True
        if wallet.card_ok:
            wallet.funds += FUNDING

    @rule(account=accounts)
    def refill(self, account: UUID) -> None:
        wallet = self.model[account]
        try:
            refill_subscription(self.ledger, RefillSubscription(account))
        except ClientError as refused:
            assert refused.code in {
                "subscription_not_found",
                "subscription_not_active",
                "wallet_not_depleted",
                "subscription_card_missing",
            }
            if refused.code == "wallet_not_depleted":
                assert wallet.funds + wallet.credits > 0
            return
        assert wallet.active and wallet.funds + wallet.credits == 0
        if wallet.card_ok:
            wallet.funds += FUNDING

    @rule(account=accounts)
    def disable(self, account: UUID) -> None:
        try:
            disable_subscription(self.ledger, DisableSubscription(account))
        except ClientError:
            return
        self.model[account].active = False

    @rule(
        account=accounts,
        # One kind (an SMS's segments) or several (a message and its images), each once.
        items=st.dictionaries(st.sampled_from(sorted(PRICES)), st.integers(1, 30), min_size=1),
        reference=REFERENCES,
    )
    def charge(self, account: UUID, items: dict[str, int], reference: str) -> None:
        wallet = self.model[account]
        amount = sum(PRICES[kind] * quantity for kind, quantity in items.items())
        command = ChargeWallet(
            account,
            "FAC-DEMO",
            tuple(ChargeItem(kind, quantity) for kind, quantity in items.items()),
            reference,
        )
        try:
            made = charge_wallet(self.ledger, command)
        except ClientError as refused:
            if refused.code == "insufficient_credit":
                assert amount > wallet.funds + wallet.credits
            else:
                assert refused.code == "reference_reused"
                assert (account, reference) in self.charged
            return
        if (account, reference) in self.charged:
            assert made.amount == self.charged[account, reference].amount  # the first, again
            return
        assert amount <= wallet.funds + wallet.credits
        from_credits = min(wallet.credits, amount)
        assert (made.amount, made.from_credits) == (amount, from_credits)
        self.charged[account, reference] = ModelCharge(amount, from_credits)
        wallet.credits -= from_credits
        wallet.funds -= amount - from_credits

    @rule(account=accounts, reference=REFERENCES)
    def refund(self, account: UUID, reference: str) -> None:
        charged = self.charged.get((account, reference))
        try:
            refund_charge(self.ledger, RefundCharge(account, reference, "Rejected"))
        except ClientError as refused:
            assert (refused.code, charged) == ("charge_not_found", None)
            return
        assert charged is not None
        if not charged.refunded:  # a second refund gives nothing more
            charged.refunded = True
            self.model[account].credits += charged.from_credits
            self.model[account].funds += charged.amount - charged.from_credits

    @rule(account=accounts, amount=st.integers(1, 700), ticket=st.integers(1, 5))
    def credit(self, account: UUID, amount: int, ticket: int) -> None:
        command = GrantCredit(
            account, "FAC-DEMO", "video_minute", Cents(amount), "Dropped call", f"t-{ticket}", "op"
        )
        before = self.ledger.wallet(account)
        known = before is not None and f"t-{ticket}" in before.credit_references
        grant_credit(self.ledger, command)
        if not known:
            self.model[account].credits += amount

    @invariant()
    def wallets_match_the_model_and_are_never_negative(self) -> None:
        for account, expected in self.model.items():
            wallet = self.ledger.wallet(account)
            funds, credits = (wallet.funds, wallet.credits) if wallet else (0, 0)
            assert funds >= 0 and credits >= 0
            assert (funds, credits) == (expected.funds, expected.credits)

    @invariant()
    def the_journal_balances_and_agrees_with_every_wallet(self) -> None:
        balances = {b.account: b.balance for b in self.ledger.views.journal.balances()}
        assert sum(balances.values()) == 0
        for account, expected in self.model.items():
            assert -balances.get(journal.wallet(account), 0) == expected.funds
            assert -balances.get(journal.credits(account), 0) == expected.credits


WalletMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=50, deadline=None)
TestWallet = WalletMachine.TestCase
