"""What the outbox publishes for each deposit, wallet and allowance event, on SQLite and
PostgreSQL: the integration event, its key and its fields."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4
from uuid import uuid5

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import AllowanceAuthorized
from kinlink_contracts.ledger import AllowanceDeclined
from kinlink_contracts.ledger import AllowanceEnded
from kinlink_contracts.ledger import DepositCaptured
from kinlink_contracts.ledger import DepositDeclined
from kinlink_contracts.ledger import MessagingSubscriptionDisabled
from kinlink_contracts.ledger import MessagingSubscriptionSetUp
from kinlink_contracts.ledger import WalletCharged
from kinlink_contracts.ledger import WalletCredited
from kinlink_contracts.ledger import WalletFunded
from kinlink_contracts.ledger import WalletFundingFailed
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.allowances import find_allowance
from kinlink_ledger.service_layer.authorize_allowance import AuthorizeAllowance
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.disable_subscription import DisableSubscription
from kinlink_ledger.service_layer.disable_subscription import disable_subscription
from kinlink_ledger.service_layer.end_allowance import end_allowance
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription

from tests.integration.ledger.test_allowances import orders
from tests.ledger_facilities import D9
from tests.ledger_facilities import choose_card

FAC = "FAC-DEMO"


def published(ledger: Ledger, translator: LedgerEventTranslator, after: int = 0) -> list[Envelope]:
    notifications = ledger.store.tracking.select_notifications(
        after, 1000, inclusive_of_start=False
    )
    return [Envelope.from_bytes(m.value) for n in notifications if (m := translator(n))]


def confirmed(ledger: Ledger, method: str, amount: int = 5000) -> None:
    quote = quote_deposit(ledger, QuoteDeposit("FAC-DEMO", "R-9", D9, Cents(amount)))
    confirm_deposit(ledger, ConfirmDeposit(str(quote.id), D9, method, str(quote.id), "corr"))


def test_only_deposit_events_are_published_in_order(ledger: Ledger) -> None:
    confirmed(ledger, "pm_card_visa")
    confirmed(ledger, "pm_card_chargeDeclined")
    envelopes = published(ledger, LedgerEventTranslator(ledger.store))
    assert [e.type for e in envelopes] == [
        "DepositRequested",
        "DepositCaptured",
        "DepositRequested",
        "DepositDeclined",
    ]
    assert {e.key for e in envelopes} == {"R-9"}
    captured = DepositCaptured.model_validate(envelopes[1].payload)
    assert (captured.amount_cents, captured.fee_cents, captured.total_cents) == (5000, 595, 5595)
    assert DepositDeclined.model_validate(envelopes[3].payload).reason == "card_declined"


def test_a_relay_restarted_between_request_and_outcome_publishes_the_same_events(
    ledger: Ledger,
) -> None:
    confirmed(ledger, "pm_card_visa")
    before_restart = published(ledger, LedgerEventTranslator(ledger.store))
    # A new translator (a restarted relay) starts after the Requested event.
    after_restart = published(ledger, LedgerEventTranslator(ledger.store), after=2)
    assert after_restart[-1] == before_restart[-1]


def subscribed(ledger: Ledger, card: str = "pm_card_visa", choice: int = 3) -> UUID:
    """A new account whose subscription was set up on `card`, identity's `choice`-th."""
    account = uuid4()
    choose_card(ledger, account, card, choice)
    set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(1000)))
    return account


def test_the_subscription_and_its_wallet_are_published_by_account(ledger: Ledger) -> None:
    account = subscribed(ledger)
    charge_wallet(ledger, ChargeWallet.single(account, FAC, "message", 2, "msg-1"))
    charge_wallet(ledger, ChargeWallet.single(account, FAC, "message", 2, "msg-1"))  # charged once
    grant_credit(
        ledger, GrantCredit(account, FAC, "video_minute", Cents(75), "Dropped call", "c-7", "op")
    )
    disable_subscription(ledger, DisableSubscription(account))
    # Identity's next choice reaches the ledger before the relay publishes the disable.
    choose_card(ledger, account, "pm_card_mastercard", 4)
    envelopes = published(ledger, LedgerEventTranslator(ledger.store))
    assert [e.type for e in envelopes] == [
        "MessagingSubscriptionSetUp",
        "WalletFunded",
        "WalletCharged",
        "WalletCredited",
        "MessagingSubscriptionDisabled",
    ]
    assert {e.key for e in envelopes} == {str(account)}
    set_up, funded, charged, credited, disabled = (e.payload for e in envelopes)
    assert MessagingSubscriptionSetUp.model_validate(set_up) == MessagingSubscriptionSetUp(
        account_id=account, facility_id=FAC, funding_amount_cents=1000
    )
    wallet_funded = WalletFunded.model_validate(funded)
    assert (wallet_funded.account_id, wallet_funded.facility_id) == (account, FAC)
    assert wallet_funded.amount_cents == 1000
    assert wallet_funded.receipt_number == MessagingWallet.receipt_number_of(
        wallet_funded.funding_id
    )
    assert WalletCharged.model_validate(charged).model_dump(exclude={"charge_id"}) == {
        "account_id": account,
        "reference": "msg-1",
        "facility_id": FAC,
        "kind": "message",
        "quantity": 2,
        "unit_price_cents": 50,
        "items": [{"kind": "message", "quantity": 2, "unit_price_cents": 50}],
        "amount_cents": 100,
        "from_credit_cents": 0,
        "from_funded_cents": 100,
        "balance_after_cents": 900,
    }
    assert WalletCredited.model_validate(credited).model_dump(exclude={"credit_id"}) == {
        "account_id": account,
        "reference": "c-7",
        "facility_id": FAC,
        "kind": "video_minute",
        "amount_cents": 75,
        "reason": "Dropped call",
    }
    # The card and identity's choice of it as they were when the subscription was disabled.
    assert MessagingSubscriptionDisabled.model_validate(disabled) == MessagingSubscriptionDisabled(
        account_id=account, card_id=uuid5(account, "pm_card_visa"), card_choice=3
    )


def test_no_card_token_or_client_secret_is_published(ledger: Ledger) -> None:
    account = subscribed(ledger, "pm_card_threeDSecureRequired")  # waits for the payer
    disabled_later = subscribed(ledger)
    disable_subscription(ledger, DisableSubscription(disabled_later))
    raw = b"".join(
        envelope.to_bytes() for envelope in published(ledger, LedgerEventTranslator(ledger.store))
    )
    assert str(account).encode() in raw and str(disabled_later).encode() in raw
    assert b"pm_card" not in raw and b"secret" not in raw


def test_a_failed_funding_is_published_with_its_reason(ledger: Ledger) -> None:
    account = subscribed(ledger, "pm_card_chargeDeclined")
    envelopes = published(ledger, LedgerEventTranslator(ledger.store))
    assert [e.type for e in envelopes] == ["MessagingSubscriptionSetUp", "WalletFundingFailed"]
    failed = WalletFundingFailed.model_validate(envelopes[1].payload)
    assert (failed.account_id, failed.facility_id, failed.amount_cents) == (account, FAC, 1000)
    assert failed.reason == "card_declined"
    assert envelopes[1].key == str(account)


def held(ledger: Ledger, resident_id: str, card: str = "pm_card_visa") -> AuthorizeAllowance:
    command = AuthorizeAllowance(uuid4(), UUID(D9), FAC, resident_id, Cents(5000), card)
    authorize_allowance(ledger, command)
    return command


def test_allowances_are_published_by_resident_with_what_was_captured(ledger: Ledger) -> None:
    used = held(ledger, "R-1001")
    orders(ledger, used.allowance_id, 1200, 300)
    end_allowance(ledger, used.allowance_id)
    declined = held(ledger, "R-1001", "pm_card_chargeDeclined")
    unused = held(ledger, "R-1002")
    end_allowance(ledger, unused.allowance_id)
    envelopes = published(ledger, LedgerEventTranslator(ledger.store))
    assert [(e.type, e.key) for e in envelopes] == [
        ("AllowanceAuthorized", "R-1001"),
        ("AllowanceEnded", "R-1001"),
        ("AllowanceDeclined", "R-1001"),
        ("AllowanceAuthorized", "R-1002"),
        ("AllowanceEnded", "R-1002"),
    ]

    def common(command: AuthorizeAllowance) -> dict[str, object]:
        return {
            "allowance_id": command.allowance_id,
            "account_id": command.account_id,
            "facility_id": FAC,
            "resident_id": command.resident_id,
            "amount_cents": 5000,
        }

    payloads = [e.payload for e in envelopes]
    assert AllowanceAuthorized.model_validate(payloads[0]) == AllowanceAuthorized(**common(used))
    receipt = find_allowance(ledger, used.allowance_id).receipt_number  # type: ignore[union-attr]
    assert receipt
    assert AllowanceEnded.model_validate(payloads[1]) == AllowanceEnded(
        **common(used), captured_cents=1500, released_cents=3500, receipt_number=receipt
    )
    assert AllowanceDeclined.model_validate(payloads[2]) == AllowanceDeclined(
        **common(declined), reason="card_declined"
    )
    assert AllowanceEnded.model_validate(payloads[4]) == AllowanceEnded(
        **common(unused), captured_cents=0, released_cents=5000
    )


def test_a_relay_restarted_anywhere_publishes_the_same_wallet_and_allowance_events(
    ledger: Ledger,
) -> None:
    account = subscribed(ledger)
    charge_wallet(ledger, ChargeWallet.single(account, FAC, "image", 1, "img-1"))
    disable_subscription(ledger, DisableSubscription(account))
    allowance = held(ledger, "R-1001")
    orders(ledger, allowance.allowance_id, 700)
    end_allowance(ledger, allowance.allowance_id)
    everything = published(ledger, LedgerEventTranslator(ledger.store))
    notifications = ledger.store.tracking.select_notifications(0, 1000)
    for notification in notifications:
        # A new translator (a restarted relay) starts after this event.
        again = published(ledger, LedgerEventTranslator(ledger.store), after=notification.id)
        assert again == everything[len(everything) - len(again) :]
