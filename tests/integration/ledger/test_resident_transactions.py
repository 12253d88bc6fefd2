"""A resident's transactions (requirements "Deposit and Charge History": deposits into their account
and commissary orders): deposits with their status and allowances once ended, newest first; who sees
whose; refusals over gRPC with their status, reason and field; replay equals live. On SQLite and on
the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.facility import DepositPosted
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.adapters.resident_transactions_view import TransactionKind
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.end_allowance import end_allowance
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.post_deposit import post_deposit
from kinlink_ledger.service_layer.resident_transactions import ResidentTransaction
from kinlink_ledger.service_layer.resident_transactions import list_resident_transactions

from tests import ledger_facilities
from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.integration.ledger.test_allowances import FAC
from tests.integration.ledger.test_allowances import RESIDENT
from tests.integration.ledger.test_allowances import orders
from tests.integration.ledger.test_allowances import publish
from tests.integration.ledger.test_allowances import request
from tests.integration.ledger.test_audit import run_replay
from tests.integration.ledger.test_audit import stream
from tests.integration.ledger.test_deposits import deposit
from tests.integration.ledger.test_deposits import family
from tests.integration.ledger.test_deposits import officer
from tests.integration.ledger.test_receipts import AUDITOR
from tests.integration.ledger.test_receipts import OPERATOR
from tests.integration.ledger.test_receipts import ended_allowance

MOTHER, BROTHER = UUID(ledger_facilities.MOTHER), UUID(ledger_facilities.BROTHER)
DEPOSIT, ORDER = TransactionKind.DEPOSIT, TransactionKind.COMMISSARY_ORDER
FAMILY, ELSEWHERE = Role.FAMILY_MEMBER, Role.FACILITY_OFFICER  # an officer of FAC-EAST
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture
def mothers(ledger: Ledger, clock: Clock) -> list[ResidentTransaction]:
    """A day of payments for the resident, an hour apart, by the mother, her son and another
    family, and some the list leaves out; returns what the mother should see, newest first."""
    mother = str(MOTHER)
    posted = deposit(ledger, 5000, depositor=mother, resident=RESIDENT)
    publish(
        ledger,
        post_deposit,
        DepositPosted(
            deposit_id=posted.id, facility_id=FAC, resident_id=RESIDENT, posted_reference="T-1"
        ),
    )
    clock.now += timedelta(hours=1)
    used = authorize_allowance(ledger, request(5000, account_id=MOTHER)).allowance_id
    orders(ledger, used, 1200)
    clock.now += timedelta(hours=1)
    declined = deposit(ledger, 2000, "pm_card_chargeDeclined", depositor=mother, resident=RESIDENT)
    clock.now += timedelta(hours=1)
    deposit(ledger, 3000, depositor=str(BROTHER), resident=RESIDENT)
    ended_allowance(ledger, uuid4(), 4000, 900)
    clock.now += timedelta(hours=1)
    captured = end_allowance(ledger, used)  # ended after the decline: listed before it
    captured_at = clock.now
    clock.now += timedelta(hours=1)
    released = ended_allowance(ledger, MOTHER, 3000)
    # Not (yet) a transaction for the resident: an open allowance, a declined hold, a deposit to
    # someone else.
    orders(ledger, authorize_allowance(ledger, request(account_id=MOTHER)).allowance_id, 700)
    authorize_allowance(ledger, request(card="pm_card_chargeDeclined", account_id=MOTHER))
    deposit(ledger, 1000, depositor=mother, resident="R-2")
    return [
        transaction(ORDER, released.allowance_id, 0, 0, "released", "", clock.now),
        transaction(ORDER, used, 1200, 0, "captured", captured.receipt_number, captured_at),
        transaction(
            DEPOSIT, declined.id, 2000, declined.fee, "declined", "", declined.requested_at
        ),
        transaction(
            DEPOSIT, posted.id, 5000, 595, "posted", posted.receipt_number, posted.requested_at
        ),
    ]


def transaction(
    kind: TransactionKind,
    transaction_id: object,
    amount: int,
    fee: int,
    status: str,
    receipt_number: str | None,
    occurred_at: datetime,
) -> ResidentTransaction:
    """One of the mother's for the resident."""
    return ResidentTransaction(
        kind,
        str(transaction_id),
        FAC,
        RESIDENT,
        str(MOTHER),
        amount,
        fee,
        status,
        receipt_number or "",
        occurred_at,
    )


def listed(ledger: Ledger, viewer: Principal) -> list[ResidentTransaction]:
    return list_resident_transactions(ledger, viewer, FAC, RESIDENT)


def test_a_family_member_sees_their_deposits_and_allowance_orders_newest_first(
    ledger: Ledger, mothers: list[ResidentTransaction]
) -> None:
    assert listed(ledger, family(str(MOTHER))) == mothers
    assert [t.receipt_number.startswith("KL-") for t in mothers] == [False, True, False, True]


def test_others_families_payments_are_never_shown_and_staff_see_everyones(
    ledger: Ledger, mothers: list[ResidentTransaction]
) -> None:
    [brothers] = listed(ledger, family(str(BROTHER)))
    assert (brothers.kind, brothers.amount, brothers.status) == (DEPOSIT, 3000, "captured")
    assert listed(ledger, family("stranger")) == []
    everyone = listed(ledger, officer(FAC))
    assert [t for t in everyone if t.account_id == str(MOTHER)] == mothers
    assert len(everyone) == len(mothers) + 2, "the son's deposit and another family's order"
    assert everyone == listed(ledger, OPERATOR) == listed(ledger, AUDITOR)
    assert [t.occurred_at for t in everyone] == sorted(
        (t.occurred_at for t in everyone), reverse=True
    )
    with refused(PermissionDenied, "facility_out_of_scope", None):
        listed(ledger, officer("FAC-EAST"))


@pytest.mark.parametrize(
    ("facility_id", "resident_id", "code"),
    [
        ("", RESIDENT, "facility_id_missing"),
        (FAC, "", "resident_id_missing"),
    ],
)
def test_a_residents_transactions_need_the_facility_and_the_resident(
    ledger: Ledger, facility_id: str, resident_id: str, code: str
) -> None:
    with refused(InvalidArgument, code, None):
        list_resident_transactions(ledger, family(str(MOTHER)), facility_id, resident_id)


def test_applying_the_events_again_changes_nothing_and_replay_equals_live(
    ledger: Ledger, mothers: list[ResidentTransaction], tmp_path: Path
) -> None:
    everyone = listed(ledger, OPERATOR)
    ledger.views.resident_transactions.apply_batch(
        ledger.store.tracking.select_notifications(1, 1000)
    )
    assert listed(ledger, OPERATOR) == everyone
    for projection in ledger.views.projections:
        projection.catch_up()
    assert run_replay(ledger, stream(ledger), tmp_path).differences == []


async def test_a_family_member_lists_their_transactions_over_grpc(
    channel: grpc.aio.Channel,
    mothers: list[ResidentTransaction],
    token_keys: TokenKeys,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    response = await stub.ListResidentTransactions(
        pb.ListResidentTransactionsRequest(facility_id=FAC, resident_id=RESIDENT),
        metadata=token_keys.family(str(MOTHER)),
    )
    assert [t.transaction_id for t in response.transactions] == [t.transaction_id for t in mothers]
    _, captured, _, posted = response.transactions
    assert (captured.kind, captured.amount_cents, captured.status, captured.receipt_number) == (
        pb.TRANSACTION_KIND_COMMISSARY_ORDER,
        1200,
        "captured",
        mothers[1].receipt_number,
    )
    assert (posted.kind, posted.amount_cents, posted.fee_cents, posted.status) == (
        pb.TRANSACTION_KIND_DEPOSIT,
        5000,
        595,
        "posted",
    )
    assert posted.occurred_at.ToDatetime(UTC) == mothers[3].occurred_at


@pytest.mark.parametrize(
    ("facility_id", "resident_id", "caller", "status", "reason", "field"),
    [
        ("", RESIDENT, FAMILY, INVALID_ARGUMENT, "facility_id_missing", "facility_id"),
        (FAC, "", FAMILY, INVALID_ARGUMENT, "resident_id_missing", "resident_id"),
        (FAC, RESIDENT, ELSEWHERE, PERMISSION_DENIED, "facility_out_of_scope", "facility_id"),
        (FAC, RESIDENT, Role.PLATFORM_SERVICE, PERMISSION_DENIED, "role_not_allowed", None),
    ],
)
async def test_a_refused_listing_carries_its_status_reason_and_field(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
    facility_id: str,
    resident_id: str,
    caller: Role,
    status: grpc.StatusCode,
    reason: str,
    field: str | None,
) -> None:
    facilities = ("FAC-EAST",) if caller is Role.FACILITY_OFFICER else ()
    call = ledger_pb2_grpc.LedgerServiceStub(channel).ListResidentTransactions(
        pb.ListResidentTransactionsRequest(facility_id=facility_id, resident_id=resident_id),
        metadata=staff(token_keys, caller, facilities),
    )
    await refused_over_grpc(call, status, reason, field)
