"""The wallet history (requirements "Email and Video Visitation Charge History"): fundings, failed
ones too, charges and credits, newest first; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.auth import Role
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.adapters.wallet_history_view import WalletEntryKind
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.receipts import get_receipt
from kinlink_ledger.service_layer.refill_subscription import RefillSubscription
from kinlink_ledger.service_layer.refill_subscription import refill_subscription
from kinlink_ledger.service_layer.wallet_history import list_wallet_history

from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.integration.ledger.test_deposits import family
from tests.integration.ledger.test_wallet import balance
from tests.integration.ledger.test_wallet import set_up
from tests.ledger_facilities import choose_card


def history(ledger: Ledger, account: UUID) -> list[tuple[WalletEntryKind, int, str, str]]:
    """(kind, amount, description, receipt number) of each entry, newest first."""
    return [
        (entry.kind, entry.amount, entry.description, entry.receipt_number)
        for entry in list_wallet_history(ledger, account)
    ]


def test_fundings_failed_fundings_charges_and_credits_are_listed_newest_first(
    ledger: Ledger,
) -> None:
    account, first = set_up(ledger)  # $10.00
    charge_wallet(ledger, ChargeWallet.single(account, FAC_DEMO, "video_minute", 40, "call-1"))
    choose_card(ledger, account, "pm_card_chargeDeclinedInsufficientFunds")
    refill_subscription(ledger, RefillSubscription(account))
    choose_card(ledger, account, "pm_card_visa")
    second = refill_subscription(ledger, RefillSubscription(account))
    credit = GrantCredit(account, FAC_DEMO, "video_minute", Cents(75), "Dropped call", "c-1", "op")
    grant_credit(ledger, credit)
    charge_wallet(ledger, ChargeWallet.single(account, FAC_DEMO, "sms_segment", 3, "sms-1"))
    assert history(ledger, account) == [
        (WalletEntryKind.CHARGE, -150, "SMS segment: 3 at $0.50 each", ""),
        (WalletEntryKind.CREDIT, 75, "Credit: Dropped call", ""),
        (
            WalletEntryKind.FUNDING,
            1000,
            "Messaging subscription funded",
            MessagingWallet.receipt_number_of(second.funding_id),
        ),
        (WalletEntryKind.FUNDING_FAILED, 0, "Funding of $10.00 failed (insufficient_funds)", ""),
        (WalletEntryKind.CHARGE, -1000, "Video minute: 40 at $0.25 each", ""),
        (
            WalletEntryKind.FUNDING,
            1000,
            "Messaging subscription funded",
            MessagingWallet.receipt_number_of(first.funding_id),
        ),
    ]
    entries = list_wallet_history(ledger, account)
    assert sum(entry.amount for entry in entries) == balance(ledger, account) == 925
    assert {entry.facility_id for entry in entries} == {FAC_DEMO}
    assert entries[-1].entry_id == str(first.funding_id)
    assert [e.occurred_at for e in entries] == sorted(
        (e.occurred_at for e in entries), reverse=True
    )


def test_a_fundings_entry_leads_to_its_receipt(ledger: Ledger) -> None:
    account, _ = set_up(ledger, amount=2000)
    [entry] = list_wallet_history(ledger, account)
    receipt = get_receipt(ledger, entry.receipt_number, family(str(account)))
    assert (
        (receipt.total, receipt.facility_id)
        == (entry.amount, entry.facility_id)
        == (
            2000,
            FAC_DEMO,
        )
    )


def test_each_account_sees_only_its_own_and_repeats_are_listed_once(ledger: Ledger) -> None:
    mine, _ = set_up(ledger)
    theirs, _ = set_up(ledger, amount=2000)
    for _ in range(2):
        charge_wallet(ledger, ChargeWallet.single(mine, FAC_DEMO, "message", 1, "msg-1"))
        grant_credit(ledger, GrantCredit(mine, FAC_DEMO, "message", Cents(50), "Sorry", "t", "op"))
    assert [amount for _, amount, _, _ in history(ledger, mine)] == [50, -50, 1000]
    assert [amount for _, amount, _, _ in history(ledger, theirs)] == [2000]
    assert history(ledger, uuid4()) == []


def test_applying_the_events_again_changes_nothing(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    charge_wallet(ledger, ChargeWallet.single(account, FAC_DEMO, "image", 2, "img-1"))
    before = history(ledger, account)
    ledger.views.wallet_history.apply_batch(ledger.store.tracking.select_notifications(1, 1000))
    assert history(ledger, account) == before
    assert len(before) == 2


async def test_family_members_list_their_own_and_operators_name_the_account(
    channel: grpc.aio.Channel, ledger: Ledger, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa")
    mine = token_keys.family(str(account))
    setup = pb.SetUpSubscriptionRequest(facility_id=FAC_DEMO, funding_amount_cents=1000)
    funded = await stub.SetUpSubscription(setup, metadata=mine)
    charge = pb.ChargeRequest(
        account_id=str(account), facility_id=FAC_DEMO, kind="message", quantity=1, reference="m"
    )
    await stub.Charge(charge, metadata=staff(token_keys, Role.PLATFORM_SERVICE))
    own = await stub.ListWalletHistory(pb.ListWalletHistoryRequest(), metadata=mine)
    assert [(e.kind, e.amount_cents, e.facility_id) for e in own.entries] == [
        (pb.WALLET_ENTRY_KIND_CHARGE, -50, FAC_DEMO),
        (pb.WALLET_ENTRY_KIND_FUNDING, 1000, FAC_DEMO),
    ]
    assert own.entries[1].entry_id == funded.funding_id
    assert own.entries[1].receipt_number == MessagingWallet.receipt_number_of(
        UUID(funded.funding_id)
    )
    named = pb.ListWalletHistoryRequest(account_id=str(account))
    for role in (Role.OPERATOR, Role.AUDITOR):
        assert await stub.ListWalletHistory(named, metadata=staff(token_keys, role)) == own
    # Naming someone else's account gives a family member their own history, not theirs.
    stranger = token_keys.family(str(uuid4()))
    assert not (await stub.ListWalletHistory(named, metadata=stranger)).entries


async def test_wallet_history_refusals_over_grpc(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    operator = staff(token_keys, Role.OPERATOR)
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    await refused_over_grpc(
        stub.ListWalletHistory(pb.ListWalletHistoryRequest(), metadata=operator),
        invalid,
        "account_id_missing",
        "account_id",
    )
    named = pb.ListWalletHistoryRequest(account_id="not-an-account")
    await refused_over_grpc(
        stub.ListWalletHistory(named, metadata=operator),
        invalid,
        "account_id_invalid",
        "account_id",
    )
    for role, facilities in ((Role.FACILITY_OFFICER, (FAC_DEMO,)), (Role.PLATFORM_SERVICE, ())):
        await refused_over_grpc(
            stub.ListWalletHistory(named, metadata=staff(token_keys, role, facilities)),
            grpc.StatusCode.PERMISSION_DENIED,
            "role_not_allowed",
        )
    await refused_over_grpc(
        stub.ListWalletHistory(named, metadata=[]),
        grpc.StatusCode.UNAUTHENTICATED,
        "token_missing",
    )
