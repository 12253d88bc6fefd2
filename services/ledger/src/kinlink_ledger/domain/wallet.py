"""A family's messaging subscription wallet: prepaid credit that messages, images, SMS segments
and video minutes are paid from.

Rules of docs/requirements.md kept here:
- the subscription is set up with one of the facility's funding amounts, and its first funding
  charges the card identity marks for it;
- it can be refilled only once it is entirely depleted;
- it can be disabled (the credit left can still be spent; the card is no longer charged);
- credit an operator grants (say, a refund for a dropped video call) is spent before the credit
  the card paid for.

The balance never goes negative: a charge it cannot cover is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain import journal
from kinlink_ledger.domain import receipt
from kinlink_ledger.domain.ids import wallet_funding_id
from kinlink_ledger.domain.ids import wallet_id
from kinlink_ledger.domain.journal import Entry
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.money import format_dollars


class SubscriptionNotFound(NotFound):
    """The account never set up a messaging subscription: it has no wallet."""

    def __init__(self) -> None:
        super().__init__(
            "subscription_not_found", "There is no messaging subscription for this account."
        )


class InsufficientCredit(FailedPrecondition):
    def __init__(self, balance: Cents, amount: Cents) -> None:
        super().__init__(
            "insufficient_credit",
            f"This costs {format_dollars(amount)} and the messaging subscription has "
            f"{format_dollars(balance)} left: refill it to continue.",
        )


@dataclass(frozen=True)
class Funding:
    """A funding under way: the card charge was asked for and has no final outcome yet."""

    funding_id: UUID
    amount: Cents
    payment_method: str
    payment_reference: str | None = None  # set once the processor's payment is started
    awaiting_authentication: bool = False  # the issuer asked the payer to authenticate


class MessagingWallet(Aggregate):
    class Opened(Aggregate.Created):
        account_id: UUID

    class SubscriptionSetUp(Aggregate.Event):
        facility_id: str
        funding_amount: int

    class SubscriptionDisabled(Aggregate.Event):
        pass

    class FundingStarted(Aggregate.Event):
        funding_id: UUID
        amount: int
        payment_method: str
        started_at: datetime

    # The card is charged by confirming this payment, so a charge whose answer was lost is
    # looked up by its reference, never made again (decision 0016).
    class FundingPaymentStarted(Aggregate.Event):
        payment_reference: str

    class FundingAwaitsAuthentication(Aggregate.Event):
        payment_reference: str

    # A funding's outcome names who paid, where and how much: enough for its receipt and the
    # account's history without the rest of the wallet's events.
    class Funded(Aggregate.Event):
        funding_id: UUID
        account_id: UUID
        facility_id: str
        amount: int
        payment_reference: str
        entry: Entry

    class FundingFailed(Aggregate.Event):
        funding_id: UUID
        facility_id: str
        amount: int
        reason: str

    class Debited(Aggregate.Event):
        charge_id: UUID
        from_credits: int
        from_funds: int

    # A refunded charge's money back where it came from; the charge's `Refunded` books it.
    class Restored(Aggregate.Event):
        charge_id: UUID
        to_credits: int
        to_funds: int

    class Credited(Aggregate.Event):
        credit_id: UUID
        reference: str
        amount: int
        reason: str
        issued_by: str
        facility_id: str
        kind: str
        entry: Entry

    @staticmethod
    def create_id(account_id: UUID) -> UUID:
        return wallet_id(account_id)

    @event(Opened)
    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id
        self.facility_id: str | None = None
        self.funding_amount = Cents(0)
        self.active = False
        self.funds = Cents(0)  # paid for by card
        self.credits = Cents(0)  # granted by operators, spent first
        self.funding: Funding | None = None
        self.fundings_started = 0
        # The last funding that ended: its id, and the failure's reason (None: funded).
        self.last_funding: tuple[UUID, str | None] | None = None
        self.credit_references: set[str] = set()

    @property
    def balance(self) -> Cents:
        return Cents(self.funds + self.credits)

    @staticmethod
    def receipt_number_of(funding_id: UUID) -> str:
        return receipt.receipt_number(funding_id)

    # The subscription

    def set_up(self, facility_id: str, funding_amount: Cents) -> None:
        if self.active:
            raise AlreadyExists(
                "subscription_already_active",
                "The messaging subscription is already set up; refill or disable it instead.",
            )
        self._set_up(facility_id, funding_amount)

    @event(SubscriptionSetUp)
    def _set_up(self, facility_id: str, funding_amount: int) -> None:
        self.facility_id = facility_id
        self.funding_amount = Cents(funding_amount)
        self.active = True

    def disable(self) -> None:
        if not self.active:
            raise FailedPrecondition(
                "subscription_not_active", "There is no active messaging subscription."
            )
        if self.funding is not None:
            raise FailedPrecondition(
                "funding_in_progress",
                "A funding is waiting for the card issuer; finish it before disabling.",
            )
        self._disabled()

    @event(SubscriptionDisabled)
    def _disabled(self) -> None:
        self.active = False

    # Funding by card

    def start_funding(self, payment_method: str, now: datetime, *, first: bool) -> Funding:
        """The first funding comes with setting the subscription up; a refill needs the wallet
        entirely depleted (docs/requirements.md)."""
        if not self.active:
            raise FailedPrecondition(
                "subscription_not_active", "Set up the messaging subscription first."
            )
        if self.funding is not None:
            raise FailedPrecondition(
                "funding_in_progress",
                "A funding is already waiting for the card issuer; finish it first.",
            )
        if not first and self.balance > 0:
            raise FailedPrecondition(
                "wallet_not_depleted",
                "The messaging subscription can be refilled only once it is entirely "
                f"depleted; {format_dollars(self.balance)} is left.",
            )
        self._funding_started(
            wallet_funding_id(self.account_id, self.fundings_started + 1),
            self.funding_amount,
            payment_method,
            now,
        )
        assert self.funding is not None
        return self.funding

    @event(FundingStarted)
    def _funding_started(
        self, funding_id: UUID, amount: int, payment_method: str, started_at: datetime
    ) -> None:
        self.funding = Funding(funding_id, Cents(amount), payment_method)
        self.fundings_started += 1

    def payment_started(self, payment_reference: str) -> None:
        self.pending_funding()
        self._payment_started(payment_reference)

    @event(FundingPaymentStarted)
    def _payment_started(self, payment_reference: str) -> None:
        assert self.funding is not None
        self.funding = replace(self.funding, payment_reference=payment_reference)

    def await_authentication(self, payment_reference: str) -> None:
        if not self.pending_funding().awaiting_authentication:
            self._awaits_authentication(payment_reference)

    @event(FundingAwaitsAuthentication)
    def _awaits_authentication(self, payment_reference: str) -> None:
        assert self.funding is not None
        self.funding = replace(
            self.funding, payment_reference=payment_reference, awaiting_authentication=True
        )

    def funded(self, payment_reference: str) -> None:
        funding = self.pending_funding()
        self._funded(
            funding.funding_id,
            self.account_id,
            self._subscription_facility(),
            funding.amount,
            payment_reference,
            journal.entry(
                journal.debit(journal.CARD_CLEARING, funding.amount),
                journal.credit(journal.wallet(self.account_id), funding.amount),
            ),
        )

    @event(Funded)
    def _funded(
        self,
        funding_id: UUID,
        account_id: UUID,
        facility_id: str,
        amount: int,
        payment_reference: str,
        entry: Entry,
    ) -> None:
        self.funds = Cents(self.funds + amount)
        self.funding = None
        self.last_funding = (funding_id, None)

    def funding_failed(self, reason: str) -> None:
        funding = self.pending_funding()
        self._funding_failed(
            funding.funding_id, self._subscription_facility(), funding.amount, reason
        )

    @event(FundingFailed)
    def _funding_failed(self, funding_id: UUID, facility_id: str, amount: int, reason: str) -> None:
        self.funding = None
        self.last_funding = (funding_id, reason)

    def pending_funding(self) -> Funding:
        if self.funding is None:
            raise FailedPrecondition("no_funding_in_progress", "No funding is under way.")
        return self.funding

    def _subscription_facility(self) -> str:
        # Set up before the first funding, and kept while a funding is under way (neither
        # setting up again nor disabling is allowed then).
        assert self.facility_id is not None
        return self.facility_id

    # Spending and crediting

    def debit(self, charge_id: UUID, amount: Cents) -> tuple[Cents, Cents]:
        """Take `amount`, operators' credit first; returns (from credits, from funds)."""
        if amount > self.balance:
            raise InsufficientCredit(self.balance, amount)
        from_credits = Cents(min(self.credits, amount))
        from_funds = Cents(amount - from_credits)
        self._debited(charge_id, from_credits, from_funds)
        return from_credits, from_funds

    @event(Debited)
    def _debited(self, charge_id: UUID, from_credits: int, from_funds: int) -> None:
        self.credits = Cents(self.credits - from_credits)
        self.funds = Cents(self.funds - from_funds)

    def restore(self, charge_id: UUID, to_credits: Cents, to_funds: Cents) -> None:
        """Give back what a charge took, each part to the credit it was taken from."""
        self._restored(charge_id, to_credits, to_funds)

    @event(Restored)
    def _restored(self, charge_id: UUID, to_credits: int, to_funds: int) -> None:
        self.credits = Cents(self.credits + to_credits)
        self.funds = Cents(self.funds + to_funds)

    def grant_credit(
        self,
        credit_id: UUID,
        reference: str,
        amount: Cents,
        reason: str,
        issued_by: str,
        facility_id: str,
        kind: str,
    ) -> bool:
        """An operator's credit, once per reference; returns whether it was new. It is booked
        against the revenue of the service it makes good."""
        if reference in self.credit_references:
            return False
        self._credited(
            credit_id,
            reference,
            amount,
            reason,
            issued_by,
            facility_id,
            kind,
            journal.entry(
                journal.debit(journal.service_revenue(facility_id, kind), amount),
                journal.credit(journal.credits(self.account_id), amount),
            ),
        )
        return True

    @event(Credited)
    def _credited(
        self,
        credit_id: UUID,
        reference: str,
        amount: int,
        reason: str,
        issued_by: str,
        facility_id: str,
        kind: str,
        entry: Entry,
    ) -> None:
        self.credits = Cents(self.credits + amount)
        self.credit_references.add(reference)
