"""Charges of several items (a message and its images) paid all or nothing, looked up by
reference, and refunded once; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from kinlink_contracts.ledger import ChargedItem as ContractItem
from kinlink_contracts.ledger import WalletCharged
from kinlink_contracts.ledger import WalletChargeRefunded
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import refused
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.adapters.wallet_history_view import WalletEntryKind
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.facility import ServiceKind
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet_charge import ChargedItem
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.charge_wallet import ChargeItem
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.refund_charge import RefundCharge
from kinlink_ledger.service_layer.refund_charge import get_charge
from kinlink_ledger.service_layer.refund_charge import refund_charge
from kinlink_ledger.service_layer.wallet_history import list_wallet_history

from tests.integration.ledger.test_integration_events import published
from tests.integration.ledger.test_wallet import FAC
from tests.integration.ledger.test_wallet import balance
from tests.integration.ledger.test_wallet import charge
from tests.integration.ledger.test_wallet import set_up

SECOND = timedelta(seconds=1)


def message(ledger: Ledger, account: UUID, reference: str, images: int = 2) -> WalletCharge:
    """A message and its images at FAC-DEMO: 50 cents and 100 each."""
    items = (ChargeItem("message", 1), ChargeItem("image", images))
    return charge_wallet(ledger, ChargeWallet(account, FAC, items, reference))


def revenue(ledger: Ledger, kind: str) -> int:
    return -ledger.views.journal.balance(journal.service_revenue(FAC, kind))


def test_a_message_and_its_images_are_one_charge_with_one_balanced_entry(ledger: Ledger) -> None:
    account, _ = set_up(ledger)  # $10.00
    made = message(ledger, account, "message:1")
    assert made.amount == 250
    assert made.items == (
        ChargedItem(ServiceKind.MESSAGE, 1, Cents(50)),
        ChargedItem(ServiceKind.IMAGE, 2, Cents(100)),
    )
    assert (made.balance_after, balance(ledger, account)) == (750, 750)
    assert (revenue(ledger, "message"), revenue(ledger, "image")) == (50, 200)
    assert sum(line.balance for line in ledger.views.journal.balances()) == 0
    [charged, _] = list_wallet_history(ledger, account)
    assert (charged.kind, charged.amount, charged.description) == (
        WalletEntryKind.CHARGE,
        -250,
        "Message: 1 at $0.50 each; Image: 2 at $1.00 each",
    )


def test_items_the_credit_covers_only_in_part_are_not_charged_at_all(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    charge(ledger, account, "video_minute", quantity=34)  # $8.50 of $10.00
    with refused(FailedPrecondition, "insufficient_credit", None):
        message(ledger, account, "message:1")  # $2.50: the message alone would fit
    assert balance(ledger, account) == 150
    assert (revenue(ledger, "message"), revenue(ledger, "image")) == (0, 0)
    with refused(NotFound, "charge_not_found", None):
        get_charge(ledger, account, "message:1")
    assert message(ledger, account, "message:1", images=1).amount == 150
    assert balance(ledger, account) == 0


def test_a_repeat_charges_once_and_other_items_under_its_reference_are_refused(
    ledger: Ledger,
) -> None:
    account, _ = set_up(ledger)
    first = message(ledger, account, "message:1")
    assert message(ledger, account, "message:1").id == first.id
    in_another_order = (ChargeItem("image", 2), ChargeItem("message", 1))
    again = charge_wallet(ledger, ChargeWallet(account, FAC, in_another_order, "message:1"))
    assert again.id == first.id
    assert balance(ledger, account) == 750
    with refused(AlreadyExists, "reference_reused", None):
        message(ledger, account, "message:1", images=3)
    assert balance(ledger, account) == 750


def test_a_charge_is_found_by_its_reference(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    made = message(ledger, account, "message:1")
    found = get_charge(ledger, account, "message:1")
    assert (found.id, found.amount, found.items, found.refund) == (
        made.id,
        250,
        made.items,
        None,
    )
    other, _ = set_up(ledger)
    with refused(NotFound, "charge_not_found", None):
        get_charge(ledger, other, "message:1")


def test_a_refund_gives_back_what_the_charge_took_once_however_often_asked(
    ledger: Ledger,
) -> None:
    account, _ = set_up(ledger)
    grant_credit(ledger, GrantCredit(account, FAC, "message", Cents(75), "Sorry", "s-1", "op"))
    message(ledger, account, "message:1")  # 75 from operators' credit, 175 from the funds
    refund = RefundCharge(account, "message:1", "Rejected by the facility")
    first = refund_charge(ledger, refund)
    again = refund_charge(ledger, refund)
    assert first.refund is not None and first.refund.reason == "Rejected by the facility"
    assert again.refund == first.refund
    wallet = ledger.wallet(account)
    assert wallet is not None
    assert (wallet.credits, wallet.funds) == (75, 1000)
    assert (revenue(ledger, "message"), revenue(ledger, "image")) == (-75, 0)  # only the credit
    assert sum(line.balance for line in ledger.views.journal.balances()) == 0
    kinds = [(entry.kind, entry.amount) for entry in list_wallet_history(ledger, account)]
    assert kinds[:2] == [(WalletEntryKind.REFUND, 250), (WalletEntryKind.CHARGE, -250)]
    # A refunded charge stays charged: its reference does not charge again.
    message(ledger, account, "message:1")
    assert balance(ledger, account) == 1075


def test_a_refund_of_nothing_charged_or_without_a_reason_is_refused(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    with refused(NotFound, "charge_not_found", None):
        refund_charge(ledger, RefundCharge(account, "message:never", "Rejected"))
    message(ledger, account, "message:1")
    with refused(InvalidArgument, "reason_missing", None):
        refund_charge(ledger, RefundCharge(account, "message:1", " "))
    assert balance(ledger, account) == 750


def test_bad_items_are_refused(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    bad = {
        "items_missing": (),
        "kind_repeated": (ChargeItem("image", 1), ChargeItem("image", 2)),
        "quantity_out_of_range": (ChargeItem("message", 1), ChargeItem("image", 0)),
        "kind_unknown": (ChargeItem("message", 1), ChargeItem("postcard", 1)),
    }
    for code, items in bad.items():
        with refused(InvalidArgument, code, None):
            charge_wallet(ledger, ChargeWallet(account, FAC, items, "message:1"))
    assert balance(ledger, account) == 1000


def test_a_charge_stored_before_charges_had_items_is_read_as_one_item(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    charge_id = WalletCharge.create_id(account, "call-1")
    made = ledger.clock()
    # Exactly what the ledger stored for a charge before its items (version 1 of the event).
    state = {
        "originator_topic": get_topic(WalletCharge),
        "account_id": account,
        "reference": "call-1",
        "facility_id": FAC,
        "kind": "video_minute",
        "quantity": 4,
        "unit_price": 25,
        "amount": 100,
        "from_credits": 0,
        "from_funds": 100,
        "balance_after": 900,
        "made_at": made,
        "entry": {f"wallet:{account}": 100, f"service_revenue:{FAC}:video_minute": -100},
        "timestamp": made,
    }
    ledger.store.recorder.insert_events(
        [
            StoredEvent(
                originator_id=charge_id,
                originator_version=1,
                topic=get_topic(WalletCharge.Made),
                state=ledger.store.mapper.transcoder.encode(state),
            )
        ]
    )
    stored = get_charge(ledger, account, "call-1")
    assert (stored.items, stored.amount) == (
        (ChargedItem(ServiceKind.VIDEO_MINUTE, 4, Cents(25)),),
        100,
    )
    assert list_wallet_history(ledger, account)[0].description == "Video minute: 4 at $0.25 each"
    refund_charge(ledger, RefundCharge(account, "call-1", "Dropped call"))
    assert revenue(ledger, "video_minute") == 0


def test_refunds_of_one_charge_at_once_credit_it_once(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    message(ledger, account, "message:1")
    refund = RefundCharge(account, "message:1", "Rejected by the facility")
    with ThreadPoolExecutor(max_workers=4) as pool:
        refunds = list(pool.map(lambda _: refund_charge(ledger, refund), range(8)))
    assert {r.refund for r in refunds} == {get_charge(ledger, account, "message:1").refund}
    assert balance(ledger, account) == 1000
    assert revenue(ledger, "image") == 0


def test_a_charge_publishes_its_items_and_a_refund_is_published_once(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    translator = LedgerEventTranslator(ledger.store)
    before = ledger.store.recorder.max_notification_id() or 0
    made = message(ledger, account, "message:1")
    refund = RefundCharge(account, "message:1", "Rejected by the facility")
    refund_charge(ledger, refund)
    refund_charge(ledger, refund)
    charged, refunded = (e.payload for e in published(ledger, translator, after=before))
    assert WalletCharged.model_validate(charged).items == [
        ContractItem(kind="message", quantity=1, unit_price_cents=50),
        ContractItem(kind="image", quantity=2, unit_price_cents=100),
    ]
    assert WalletChargeRefunded.model_validate(refunded) == WalletChargeRefunded(
        account_id=account,
        charge_id=made.id,
        reference="message:1",
        facility_id=FAC,
        amount_cents=250,
        reason="Rejected by the facility",
    )


def test_a_charge_its_caller_stopped_waiting_for_is_not_made(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    items = (ChargeItem("message", 1),)
    late = ChargeWallet(account, FAC, items, "message:1", answer_by=ledger.clock() - SECOND)
    with refused(Unavailable, "charge_too_late", None):
        charge_wallet(ledger, late)
    assert balance(ledger, account) == 1000
    with refused(NotFound, "charge_not_found", None):
        get_charge(ledger, account, "message:1")
    in_time = ChargeWallet(account, FAC, items, "message:1", answer_by=ledger.clock())
    assert charge_wallet(ledger, in_time).amount == 50
