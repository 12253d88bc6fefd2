"""The ledger over gRPC, as a client sees it: statuses with stable codes, who may call what,
health, reflection."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import grpc
import pytest
from eventsourcing.persistence import IntegrityError
from grpc_health.v1 import health_pb2
from grpc_health.v1 import health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha import reflection_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import refusal_of
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.ledger_facilities import D1
from tests.ledger_facilities import MOTHER
from tests.ledger_grpc import make_deposit


async def test_quote_and_confirm_over_grpc(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    family = token_keys.family(D1)
    quote = await stub.QuoteDeposit(
        pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-1", amount_cents=5000),
        metadata=family,
    )
    assert (quote.fee_cents, quote.total_cents, quote.weekly_remaining_cents) == (595, 5595, 30000)
    assert quote.depositor_id == D1, "the depositor is the token's subject"
    deposit = await stub.ConfirmDeposit(
        pb.ConfirmDepositRequest(
            quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key="k-1"
        ),
        metadata=family,
    )
    assert deposit.status == pb.DEPOSIT_STATUS_CAPTURED
    assert deposit.receipt.receipt_number.startswith("KL-")
    listed = await stub.ListDeposits(pb.ListDepositsRequest(), metadata=family)
    assert [d.deposit_id for d in listed.deposits] == [deposit.deposit_id]


async def test_bad_input_gets_invalid_argument_with_code_and_field(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    family = token_keys.family(D1)
    await refused_over_grpc(
        stub.QuoteDeposit(
            pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-1", amount_cents=0),
            metadata=family,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "amount_not_positive",
        "amount_cents",
    )
    await refused_over_grpc(
        stub.GetDeposit(
            pb.GetDepositRequest(deposit_id="8b2c1e4e-0000-4000-8000-000000000000"),
            metadata=family,
        ),
        grpc.StatusCode.NOT_FOUND,
        "deposit_not_found",
        "deposit_id",
    )


async def test_unexpected_errors_are_internal_with_a_reference_code(
    channel: grpc.aio.Channel,
    ledger: Ledger,
    token_keys: TokenKeys,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("the settings file vanished")

    ledger.facilities.get = broken  # type: ignore[method-assign]
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.QuoteDeposit(
            pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-1", amount_cents=100),
            metadata=token_keys.family(D1),
        )
    assert failed.value.code() == grpc.StatusCode.INTERNAL
    assert "vanished" not in (failed.value.details() or "")
    reference = (failed.value.details() or "").rsplit(" ", 1)[-1].rstrip(".")
    logged = capsys.readouterr().out
    assert reference in logged and "the settings file vanished" in logged


async def test_a_lost_race_on_the_store_is_aborted_and_may_be_retried(
    channel: grpc.aio.Channel, ledger: Ledger, token_keys: TokenKeys
) -> None:
    def raced(_: str) -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    ledger.facilities.get = raced  # type: ignore[method-assign]
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await ledger_pb2_grpc.LedgerServiceStub(channel).QuoteDeposit(
            pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-1", amount_cents=100),
            metadata=token_keys.family(D1),
        )
    assert failed.value.code() == grpc.StatusCode.ABORTED
    assert refusal_of(failed.value).reason == "concurrent_change"


async def test_health_and_reflection_answer_without_a_token(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "kinlink.ledger.v1.LedgerService"):
        answer = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = reflection.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    async for response in responses:
        names = {s.name for s in response.list_services_response.service}
        assert "kinlink.ledger.v1.LedgerService" in names
        break


@pytest.mark.parametrize(
    ("caller", "status", "reason"),
    [
        (lambda keys: [], grpc.StatusCode.UNAUTHENTICATED, "token_missing"),
        (lambda keys: bearer("not.a.token"), grpc.StatusCode.UNAUTHENTICATED, "invalid_token"),
        (
            lambda keys: bearer(keys.token("op-1", Role.OPERATOR)),
            grpc.StatusCode.PERMISSION_DENIED,
            "role_not_allowed",
        ),
    ],
    ids=["no token", "forged token", "operator"],
)
async def test_only_a_signed_in_family_member_gets_a_quote(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
    caller: Callable[[TokenKeys], list[tuple[str, str]]],
    status: grpc.StatusCode,
    reason: str,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    request = pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-1", amount_cents=100)
    await refused_over_grpc(
        stub.QuoteDeposit(request, metadata=caller(token_keys)), status, reason, None
    )


async def test_a_family_member_sees_and_confirms_only_their_own_deposits(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    mine, theirs = token_keys.family(MOTHER), token_keys.family("stranger")
    deposit = await make_deposit(stub, mine)
    get = pb.GetDepositRequest(deposit_id=deposit.deposit_id)
    assert (await stub.GetDeposit(get, metadata=mine)).deposit_id == deposit.deposit_id
    await refused_over_grpc(
        stub.GetDeposit(get, metadata=theirs),
        grpc.StatusCode.NOT_FOUND,
        "deposit_not_found",
        "deposit_id",
    )
    confirm = pb.ConfirmDepositRequest(
        quote_id=deposit.quote_id, payment_method="pm_card_visa", idempotency_key="x"
    )
    await refused_over_grpc(
        stub.ConfirmDeposit(confirm, metadata=theirs),
        grpc.StatusCode.NOT_FOUND,
        "quote_not_found",
        "quote_id",
    )
    mothers = pb.ListDepositsRequest(depositor_id=MOTHER)
    await refused_over_grpc(
        stub.ListDeposits(mothers, metadata=theirs),
        grpc.StatusCode.PERMISSION_DENIED,
        "depositor_not_caller",
        "depositor_id",
    )
    # Naming the resident gives a family member their own deposits to them, nobody else's.
    to_resident = pb.ListDepositsRequest(resident_id="R-1", facility_id="FAC-DEMO")
    assert not (await stub.ListDeposits(to_resident, metadata=theirs)).deposits
    listed = await stub.ListDeposits(to_resident, metadata=mine)
    assert [d.deposit_id for d in listed.deposits] == [deposit.deposit_id]


async def test_what_is_not_found_is_named_by_its_request_field(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    family = token_keys.family(MOTHER)
    operator = bearer(token_keys.token("op-1", Role.OPERATOR))
    commissary = bearer(token_keys.token("commissary", Role.PLATFORM_SERVICE))
    account_id = str(uuid4())
    quote = await stub.QuoteDeposit(
        pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-1", amount_cents=100),
        metadata=family,
    )
    nowhere = "FAC-NOWHERE"
    for_messages = {"account_id": account_id, "facility_id": nowhere, "kind": "message"}
    calls = {
        "facility_id": [
            stub.QuoteDeposit(
                pb.QuoteDepositRequest(facility_id=nowhere, resident_id="R-1", amount_cents=100),
                metadata=family,
            ),
            stub.SetUpSubscription(
                pb.SetUpSubscriptionRequest(facility_id=nowhere, funding_amount_cents=2000),
                metadata=token_keys.family(account_id),
            ),
            stub.Charge(
                pb.ChargeRequest(**for_messages, quantity=1, reference="message-1"),
                metadata=commissary,
            ),
            stub.GrantCredit(
                pb.GrantCreditRequest(
                    **for_messages, amount_cents=100, reason="refund", reference="call-1"
                ),
                metadata=operator,
            ),
        ],
        "resident_id": [
            stub.QuoteDeposit(
                pb.QuoteDepositRequest(facility_id="FAC-DEMO", resident_id="R-0", amount_cents=100),
                metadata=family,
            )
        ],
        "payment_method": [
            stub.ConfirmDeposit(
                pb.ConfirmDepositRequest(
                    quote_id=quote.quote_id, payment_method="pm_nope", idempotency_key="k"
                ),
                metadata=family,
            )
        ],
    }
    codes = {
        "facility_id": "facility_not_found",
        "resident_id": "resident_not_found",
        "payment_method": "payment_method_not_found",
    }
    for field, refused_calls in calls.items():
        for call in refused_calls:
            await refused_over_grpc(call, grpc.StatusCode.NOT_FOUND, codes[field], field)


async def test_officers_see_deposits_at_their_facilities_only(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    deposit = await make_deposit(stub, token_keys.family(MOTHER), resident="R-7")
    officer = bearer(token_keys.token("off-1", Role.FACILITY_OFFICER, facilities=["FAC-DEMO"]))
    elsewhere = bearer(token_keys.token("off-2", Role.FACILITY_OFFICER, facilities=["FAC-EAST"]))
    auditor = bearer(token_keys.token("aud-1", Role.AUDITOR))
    history = pb.ListDepositsRequest(resident_id="R-7", facility_id="FAC-DEMO")
    get = pb.GetDepositRequest(deposit_id=deposit.deposit_id)
    for staff in (officer, auditor):
        listed = await stub.ListDeposits(history, metadata=staff)
        assert [d.deposit_id for d in listed.deposits] == [deposit.deposit_id]
        assert (await stub.GetDeposit(get, metadata=staff)).deposit_id == deposit.deposit_id
    await refused_over_grpc(
        stub.ListDeposits(history, metadata=elsewhere),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    await refused_over_grpc(
        stub.GetDeposit(get, metadata=elsewhere),
        grpc.StatusCode.NOT_FOUND,
        "deposit_not_found",
        "deposit_id",
    )
