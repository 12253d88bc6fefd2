"""Commissary orders over gRPC, as the commissary calls the ledger: who may charge and look at an
order's charge, the answers' fields, the receipt, and the refusals' statuses with their stable
reason and field. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import grpc
import pytest
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.integration.ledger.test_commissary_orders import Gate
from tests.ledger_facilities import D1
from tests.ledger_facilities import D2
from tests.ledger_grpc import Refusal
from tests.ledger_grpc import refused_by_the_ledger

NOT_FOUND = grpc.StatusCode.NOT_FOUND
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
COMMISSARY = Role.PLATFORM_SERVICE


def order_request(**changes: object) -> pb.ChargeOrderRequest:
    fields: dict[str, object] = {
        "order_id": str(uuid4()),
        "attempt": 1,
        "account_id": D1,
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "amount_cents": 2500,
        "payment_method": "pm_card_visa",
    }
    return pb.ChargeOrderRequest(**{**fields, **changes})


async def test_the_commissary_charges_an_order_and_the_family_member_gets_its_receipt(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    commissary = staff(token_keys, COMMISSARY)
    request = order_request()
    paid = await stub.ChargeOrder(request, metadata=commissary)
    assert (paid.order_id, paid.attempt, paid.account_id, paid.amount_cents) == (
        request.order_id,
        1,
        D1,
        2500,
    )
    assert (paid.facility_id, paid.resident_id) == ("FAC-DEMO", "R-1001")
    assert (paid.status, paid.decline_reason) == (pb.ORDER_CHARGE_STATUS_CAPTURED, "")
    assert paid.receipt_number.startswith("KL-") and paid.charged_at.seconds > 0
    get = pb.GetOrderChargeRequest(order_id=request.order_id)
    for caller in (commissary, staff(token_keys, Role.OPERATOR), staff(token_keys, Role.AUDITOR)):
        assert await stub.GetOrderCharge(get, metadata=caller) == paid

    number = pb.GetReceiptRequest(receipt_number=paid.receipt_number)
    receipt = await stub.GetReceipt(number, metadata=token_keys.family(D1))
    assert (receipt.kind, receipt.total_cents, receipt.resident_id) == (
        pb.RECEIPT_KIND_COMMISSARY_ORDER,
        2500,
        "R-1001",
    )
    document = await stub.PrintReceipt(number, metadata=token_keys.family(D1))
    assert b"Commissary order receipt" in document.content
    await refused_over_grpc(
        stub.GetReceipt(number, metadata=token_keys.family(D2)),
        NOT_FOUND,
        "receipt_not_found",
        "receipt_number",
    )


async def test_a_declined_attempt_is_an_answer_and_a_later_one_pays(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    commissary = staff(token_keys, COMMISSARY)
    first = order_request(payment_method="pm_card_threeDSecure2Required")
    declined = await stub.ChargeOrder(first, metadata=commissary)
    assert (declined.status, declined.decline_reason, declined.receipt_number) == (
        pb.ORDER_CHARGE_STATUS_DECLINED,
        "payer_authentication_unavailable",
        "",
    )
    second = order_request(order_id=first.order_id, attempt=2)
    assert (await stub.ChargeOrder(second, metadata=commissary)).status == (
        pb.ORDER_CHARGE_STATUS_CAPTURED
    )
    reused = order_request(order_id=first.order_id, attempt=2, amount_cents=2600)
    await refused_over_grpc(
        stub.ChargeOrder(reused, metadata=commissary),
        grpc.StatusCode.ALREADY_EXISTS,
        "order_charge_reused",
        "order_id",
    )


@pytest.mark.parametrize(
    "refusal",
    [
        ({"order_id": "x"}, COMMISSARY, INVALID_ARGUMENT, "order_id_invalid", "order_id"),
        ({"attempt": 0}, COMMISSARY, INVALID_ARGUMENT, "attempt_not_positive", "attempt"),
        ({"account_id": ""}, COMMISSARY, INVALID_ARGUMENT, "account_id_missing", "account_id"),
        ({"amount_cents": -1}, COMMISSARY, INVALID_ARGUMENT, "amount_not_positive", "amount_cents"),
        ({"resident_id": ""}, COMMISSARY, INVALID_ARGUMENT, "resident_id_missing", "resident_id"),
        (
            {"payment_method": ""},
            COMMISSARY,
            INVALID_ARGUMENT,
            "payment_method_missing",
            "payment_method",
        ),
        (
            {"payment_method": "pm_nope"},
            COMMISSARY,
            NOT_FOUND,
            "payment_method_not_found",
            "payment_method",
        ),
        (
            {"facility_id": "FAC-NOWHERE"},
            COMMISSARY,
            NOT_FOUND,
            "facility_not_found",
            "facility_id",
        ),
        # Only the commissary charges orders: not the family member, nor staff.
        ({}, Role.FAMILY_MEMBER, PERMISSION_DENIED, "role_not_allowed", None),
        ({}, Role.OPERATOR, PERMISSION_DENIED, "role_not_allowed", None),
    ],
)
async def test_a_refused_charge_carries_its_status_reason_and_field(
    channel: grpc.aio.Channel, token_keys: TokenKeys, refusal: Refusal
) -> None:
    await refused_by_the_ledger(channel, token_keys, "ChargeOrder", order_request, refusal)


async def test_unknown_orders_and_callers_without_the_role_are_refused_a_look(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    commissary = staff(token_keys, COMMISSARY)
    unknown = pb.GetOrderChargeRequest(order_id=str(uuid4()))
    await refused_over_grpc(
        stub.GetOrderCharge(unknown, metadata=commissary),
        NOT_FOUND,
        "order_charge_not_found",
        "order_id",
    )
    await refused_over_grpc(
        stub.GetOrderCharge(pb.GetOrderChargeRequest(order_id="x"), metadata=commissary),
        INVALID_ARGUMENT,
        "order_id_invalid",
        "order_id",
    )
    for role in (Role.FAMILY_MEMBER, Role.FACILITY_OFFICER):
        await refused_over_grpc(
            stub.GetOrderCharge(unknown, metadata=staff(token_keys, role, ("FAC-DEMO",))),
            PERMISSION_DENIED,
            "role_not_allowed",
        )


async def test_an_attempt_while_another_is_in_flight_is_aborted_and_one_pays(
    channel: grpc.aio.Channel, ledger: Ledger, clock: Clock, token_keys: TokenKeys
) -> None:
    """The loser is ABORTED `charge_in_progress`, safe to ask again: then it gets the capture."""
    held = Gate(clock)
    ledger.payments = held
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    commissary = staff(token_keys, COMMISSARY)
    first = order_request()
    in_flight = asyncio.ensure_future(stub.ChargeOrder(first, metadata=commissary))
    assert await asyncio.to_thread(held.reached.wait, 30)
    second = order_request(order_id=first.order_id, attempt=2)
    await refused_over_grpc(
        stub.ChargeOrder(second, metadata=commissary),
        grpc.StatusCode.ABORTED,
        "charge_in_progress",
        "order_id",
    )
    held.gate.set()
    assert (await in_flight).status == pb.ORDER_CHARGE_STATUS_CAPTURED
    again = await stub.ChargeOrder(second, metadata=commissary)
    assert (again.attempt, again.status) == (1, pb.ORDER_CHARGE_STATUS_CAPTURED)
    assert held.charges(order_id=first.order_id) == [2500]
