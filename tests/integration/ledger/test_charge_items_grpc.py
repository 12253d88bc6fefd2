"""Charge with items, GetCharge and RefundCharge over gRPC: who may call them, their statuses,
codes and fields; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import grpc
import pytest
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.auth import Role
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.ledger_facilities import choose_card


def items(**quantities: int) -> list[pb.ChargeItem]:
    return [pb.ChargeItem(kind=kind, quantity=q) for kind, q in quantities.items()]


async def funded_account(
    channel: grpc.aio.Channel, ledger: Ledger, token_keys: TokenKeys
) -> tuple[ledger_pb2_grpc.LedgerServiceStub, str, list[tuple[str, str]]]:
    """The ledger's stub, a family member whose wallet holds $10.00, and messaging's metadata."""
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa")
    setup = pb.SetUpSubscriptionRequest(facility_id=FAC_DEMO, funding_amount_cents=1000)
    await stub.SetUpSubscription(setup, metadata=token_keys.family(str(account)))
    return stub, str(account), staff(token_keys, Role.PLATFORM_SERVICE)


def message_charge(account: str, **quantities: int) -> pb.ChargeRequest:
    """Messaging's charge for message 1: a message and its images at FAC-DEMO."""
    return pb.ChargeRequest(
        account_id=account,
        facility_id=FAC_DEMO,
        items=items(**quantities),
        reference="message:1",
    )


async def test_a_message_with_images_is_charged_found_and_refunded_once(
    channel: grpc.aio.Channel, ledger: Ledger, token_keys: TokenKeys
) -> None:
    stub, account, messaging = await funded_account(channel, ledger, token_keys)
    request = message_charge(account, message=1, image=2)
    charged = await stub.Charge(request, metadata=messaging)
    assert await stub.Charge(request, metadata=messaging) == charged
    assert (charged.amount_cents, charged.balance_after_cents) == (250, 750)
    assert [(i.kind, i.quantity, i.unit_price_cents, i.amount_cents) for i in charged.items] == [
        ("message", 1, 50, 50),
        ("image", 2, 100, 200),
    ]
    assert (charged.kind, charged.quantity, charged.unit_price_cents) == ("message", 1, 50)
    assert not charged.HasField("refunded_at")
    lookup = pb.GetChargeRequest(account_id=account, reference="message:1")
    for role in (Role.PLATFORM_SERVICE, Role.OPERATOR, Role.AUDITOR):
        assert await stub.GetCharge(lookup, metadata=staff(token_keys, role)) == charged
    refund = pb.RefundChargeRequest(account_id=account, reference="message:1", reason="Rejected")
    refunded = await stub.RefundCharge(refund, metadata=messaging)
    assert await stub.RefundCharge(refund, metadata=messaging) == refunded
    assert refunded.HasField("refunded_at") and refunded.refund_reason == "Rejected"
    assert refunded.charge_id == charged.charge_id
    wallet = await stub.GetWallet(pb.GetWalletRequest(account_id=account), metadata=messaging)
    assert wallet.balance_cents == 1000
    history = await stub.ListWalletHistory(
        pb.ListWalletHistoryRequest(), metadata=token_keys.family(account)
    )
    assert [(e.kind, e.amount_cents) for e in history.entries][:2] == [
        (pb.WALLET_ENTRY_KIND_REFUND, 250),
        (pb.WALLET_ENTRY_KIND_CHARGE, -250),
    ]


async def test_a_charge_the_wallet_covers_only_in_part_is_refused_and_nothing_is_taken(
    channel: grpc.aio.Channel, ledger: Ledger, token_keys: TokenKeys
) -> None:
    stub, account, messaging = await funded_account(channel, ledger, token_keys)
    await refused_over_grpc(
        # $10.50 of $10.00
        stub.Charge(message_charge(account, message=1, image=10), metadata=messaging),
        grpc.StatusCode.FAILED_PRECONDITION,
        "insufficient_credit",
        None,
    )
    wallet = await stub.GetWallet(pb.GetWalletRequest(account_id=account), metadata=messaging)
    assert wallet.balance_cents == 1000
    await refused_over_grpc(
        stub.GetCharge(
            pb.GetChargeRequest(account_id=account, reference="message:1"), metadata=messaging
        ),
        grpc.StatusCode.NOT_FOUND,
        "charge_not_found",
        "reference",
    )


async def test_charge_refusals_name_their_fields(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    messaging = staff(token_keys, Role.PLATFORM_SERVICE)
    account = str(uuid4())
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    charges = {
        "charge_items_ambiguous": pb.ChargeRequest(kind="message", items=items(image=1)),
        "kind_unknown": pb.ChargeRequest(items=items(message=1, postcard=1)),
        "quantity_out_of_range": pb.ChargeRequest(items=items(message=1, image=0)),
    }
    for code, request in charges.items():
        request.MergeFrom(
            pb.ChargeRequest(account_id=account, facility_id=FAC_DEMO, reference="message:1")
        )
        await refused_over_grpc(stub.Charge(request, metadata=messaging), invalid, code, "items")
    await refused_over_grpc(
        stub.RefundCharge(
            pb.RefundChargeRequest(account_id=account, reference="message:9", reason="Rejected"),
            metadata=messaging,
        ),
        grpc.StatusCode.NOT_FOUND,
        "charge_not_found",
        "reference",
    )
    await refused_over_grpc(
        stub.RefundCharge(
            pb.RefundChargeRequest(account_id=account, reference="message:9"), metadata=messaging
        ),
        invalid,
        "reason_missing",
        "reason",
    )


async def test_only_platform_services_charge_and_refund_and_families_look_nothing_up(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    account = str(uuid4())
    refund = pb.RefundChargeRequest(account_id=account, reference="m", reason="r")
    calls = [
        stub.RefundCharge(refund, metadata=staff(token_keys, role))
        for role in (Role.FAMILY_MEMBER, Role.OPERATOR, Role.AUDITOR)
    ]
    lookup = pb.GetChargeRequest(account_id=account, reference="m")
    calls.append(stub.GetCharge(lookup, metadata=staff(token_keys, Role.FAMILY_MEMBER)))
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_charge_is_not_made_after_its_callers_deadline(
    channel: grpc.aio.Channel, ledger: Ledger, token_keys: TokenKeys
) -> None:
    stub, account, messaging = await funded_account(channel, ledger, token_keys)
    request = message_charge(account, message=1)
    started = ledger.clock()
    # The ledger's clock reads a minute later at each look: the call's 30 seconds have passed by
    # the time the charge would be saved, as on a ledger stalled that long.
    ticks = iter(range(1, 1000))
    ledger.clock = lambda: started + timedelta(minutes=next(ticks))
    await refused_over_grpc(
        stub.Charge(request, metadata=messaging, timeout=30),
        grpc.StatusCode.UNAVAILABLE,
        "charge_too_late",
        None,
    )
    ledger.clock = lambda: started
    lookup = pb.GetChargeRequest(account_id=account, reference="message:1")
    await refused_over_grpc(
        stub.GetCharge(lookup, metadata=messaging),
        grpc.StatusCode.NOT_FOUND,
        "charge_not_found",
        "reference",
    )
    assert (await stub.Charge(request, metadata=messaging, timeout=30)).amount_cents == 50
