"""The deposit and messaging histories and receipts as a family member reads them:
times in the facility's time zone, statuses in words, receipts linked, and empty pages that
say what to do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.ledger.v1 import ledger_pb2 as pb
from starlette.testclient import TestClient

from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.family import family_portal

# 2027-01-15 03:30 UTC: in Chicago still the evening of the 14th.
EVENING_OF_THE_14TH = Timestamp(seconds=1_799_983_800)


@pytest.fixture
def ledger() -> StandInIdentity:
    return StandInIdentity()


@pytest.fixture
def family(identity: StandInIdentity, ledger: StandInIdentity) -> Iterator[TestClient]:
    yield from family_portal(identity, ledger)


def deposit(status: int, reason: str = "") -> pb.Deposit:
    return pb.Deposit(
        deposit_id="d-1",
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        amount_cents=5000,
        fee_cents=595,
        total_cents=5595,
        status=status,  # type: ignore[arg-type]
        decline_reason=reason,
        requested_at=EVENING_OF_THE_14TH,
    )


def test_a_deposit_is_listed_at_the_facilitys_time_with_its_amounts_and_status(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["ListDeposits"] = pb.ListDepositsResponse(
        deposits=[deposit(pb.DEPOSIT_STATUS_POSTED)]
    )
    page = family.get("/history/deposits").text
    assert "Jan 14, 2027" in page and "CST" in page  # not the 15th, as in UTC
    assert "$50.00" in page and "$5.95" in page and "$55.95" in page
    assert "Credited to the resident's account" in page
    assert 'href="/deposits/d-1"' in page
    asked = next(call[1] for call in ledger.calls if call[0] == "ListDeposits")
    assert asked.WhichOneof("owner") is None  # the caller's own


def test_a_declined_deposit_says_why_in_spanish(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["ListDeposits"] = pb.ListDepositsResponse(
        deposits=[deposit(pb.DEPOSIT_STATUS_DECLINED, "insufficient_funds")]
    )
    family.cookies.set("kinlink_language", "es")
    page = family.get("/history/deposits").text
    assert "Rechazado: no se cobró a su tarjeta" in page
    assert "Su banco rechazó la tarjeta: no tiene fondos suficientes" in page
    assert "14 ene 2027" in page


def test_no_deposit_yet_says_how_to_make_one(family: TestClient, ledger: StandInIdentity) -> None:
    ledger.answers["ListDeposits"] = pb.ListDepositsResponse()
    page = family.get("/history/deposits").text
    assert "You have not made a deposit yet" in page and 'href="/residents"' in page
    assert "<table" not in page


def wallet_entry(kind: Any, amount_cents: int, **fields: str) -> pb.WalletHistoryEntry:
    """An entry of FAC-DEMO's, made on the evening of the 14th."""
    return pb.WalletHistoryEntry(
        kind=kind,
        amount_cents=amount_cents,
        facility_id="FAC-DEMO",
        occurred_at=EVENING_OF_THE_14TH,
        **fields,
    )


def test_the_messaging_history_links_each_fundings_receipt(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["ListWalletHistory"] = pb.ListWalletHistoryResponse(
        entries=[
            wallet_entry(pb.WALLET_ENTRY_KIND_CHARGE, -50, description="Messages: 1 at $0.50 each"),
            wallet_entry(pb.WALLET_ENTRY_KIND_FUNDING, 1500, receipt_number="KL-ABC123"),
            wallet_entry(
                pb.WALLET_ENTRY_KIND_FUNDING_FAILED,
                0,
                description="Funding of $15.00 failed (card_declined)",
            ),
        ]
    )
    page = family.get("/history/messaging").text
    assert page.count('href="/receipts/') == 1 and 'href="/receipts/KL-ABC123"' in page
    assert "-$0.50" in page and "Funding failed: your card was not charged" in page
    # The ledger's English says what a charge paid for, marked as English for screen readers;
    # a failed funding's own words (and its code) are not shown.
    assert '<span class="hint" lang="en">Messages: 1 at $0.50 each</span>' in page
    assert "card_declined" not in page


def test_a_refunded_charge_is_listed_as_a_refund_with_what_it_gave_back(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["ListWalletHistory"] = pb.ListWalletHistoryResponse(
        entries=[
            wallet_entry(
                pb.WALLET_ENTRY_KIND_REFUND, 150, description="Refund: rejected by the facility"
            )
        ]
    )
    page = family.get("/history/messaging").text
    assert "Refund of a charge" in page and "$1.50" in page
    assert '<span class="hint" lang="en">Refund: rejected by the facility</span>' in page


def test_an_empty_messaging_history_says_to_set_up_the_subscription(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["ListWalletHistory"] = pb.ListWalletHistoryResponse()
    page = family.get("/history/messaging").text
    assert "Set up your messaging subscription" in page and 'href="/messaging"' in page


def test_a_receipt_shows_what_was_charged_and_what_the_hold_gave_back(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["GetReceipt"] = pb.PaymentReceipt(
        receipt_number="KL-ABC123",
        kind=pb.RECEIPT_KIND_ALLOWANCE_CAPTURE,
        facility_id="FAC-DEMO",
        facility_name="Demo County Jail",
        resident_id="R-1001",
        lines=[pb.ReceiptLine(description="Commissary order", amount_cents=1200)],
        total_cents=1200,
        payment_reference="pi_sim_1",
        captured_at=EVENING_OF_THE_14TH,
        hold=pb.ReceiptHold(authorized_cents=2000, released_cents=800),
    )
    page = family.get("/receipts/KL-ABC123").text
    assert "Commissary order" in page and "$12.00" in page
    assert "Held on your card: $20.00. Given back, never charged: $8.00." in page
