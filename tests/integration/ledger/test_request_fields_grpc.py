"""Each refusal of the ledger API names the request field it is about: the use cases refuse with a
stable code and know no request, the entrypoint names the field. On SQLite and on the real
PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import grpc
import pytest
from google.protobuf.message import Message
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.ledger_facilities import D1
from tests.ledger_facilities import choose_card
from tests.ledger_facilities import release
from tests.ledger_facilities import transfer

INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


def quote_request(**changes: object) -> pb.QuoteDepositRequest:
    fields: dict[str, object] = {
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1",
        "amount_cents": 100,
    }
    return pb.QuoteDepositRequest(**{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"facility_id": " "}, "facility_id_missing", "facility_id"),
        ({"resident_id": " "}, "resident_id_missing", "resident_id"),
        ({"amount_cents": 30001}, "amount_above_largest_deposit", "amount_cents"),
    ],
)
async def test_a_bad_quote_names_its_field(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
    changes: dict[str, object],
    reason: str,
    field: str,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    call = stub.QuoteDeposit(quote_request(**changes), metadata=token_keys.family(D1))
    await refused_over_grpc(call, INVALID_ARGUMENT, reason, field)


async def test_a_refused_confirmation_names_its_field(
    channel: grpc.aio.Channel, token_keys: TokenKeys, ledger: Ledger
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    family = token_keys.family(D1)

    async def confirm(
        resident_id: str, payment_method: str = "pm_card_visa", idempotency_key: str = "k"
    ) -> pb.Deposit:
        quote = await stub.QuoteDeposit(quote_request(resident_id=resident_id), metadata=family)
        request = pb.ConfirmDepositRequest(
            quote_id=quote.quote_id, payment_method=payment_method, idempotency_key=idempotency_key
        )
        return await stub.ConfirmDeposit(request, metadata=family)

    await refused_over_grpc(
        confirm("R-1", payment_method=" "),
        INVALID_ARGUMENT,
        "payment_method_missing",
        "payment_method",
    )
    await refused_over_grpc(
        confirm("R-1", idempotency_key=" "),
        INVALID_ARGUMENT,
        "idempotency_key_missing",
        "idempotency_key",
    )

    # The quote named the resident; the ledger has heard since that they moved or left.
    moved = await stub.QuoteDeposit(quote_request(resident_id="R-2"), metadata=family)
    left = await stub.QuoteDeposit(quote_request(resident_id="R-3"), metadata=family)
    transfer(ledger, "FAC-DEMO", "R-2", "FAC-EAST", "R-2")
    release(ledger, "FAC-DEMO", "R-3")
    for quote, reason in ((moved, "resident_transferred"), (left, "resident_released")):
        request = pb.ConfirmDepositRequest(
            quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key=reason
        )
        call = stub.ConfirmDeposit(request, metadata=family)
        await refused_over_grpc(call, FAILED_PRECONDITION, reason, "resident_id")


async def test_a_refused_listing_of_deposits_names_its_field(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    await refused_over_grpc(
        stub.ListDeposits(
            pb.ListDepositsRequest(depositor_id="someone-else"), metadata=token_keys.family(D1)
        ),
        PERMISSION_DENIED,
        "depositor_not_caller",
        "depositor_id",
    )
    await refused_over_grpc(
        stub.ListDeposits(
            pb.ListDepositsRequest(resident_id="R-1"), metadata=staff(token_keys, Role.OPERATOR)
        ),
        INVALID_ARGUMENT,
        "facility_id_missing",
        "facility_id",
    )


async def test_a_refused_subscription_names_the_funding_amount(
    channel: grpc.aio.Channel, token_keys: TokenKeys, ledger: Ledger
) -> None:
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa")
    request = pb.SetUpSubscriptionRequest(facility_id="FAC-EAST", funding_amount_cents=1000)
    await refused_over_grpc(
        ledger_pb2_grpc.LedgerServiceStub(channel).SetUpSubscription(
            request, metadata=token_keys.family(str(account))
        ),
        INVALID_ARGUMENT,
        "funding_amount_not_offered",
        "funding_amount_cents",
    )


# A platform service charges a wallet, an operator grants credit: a good request of each.
_WALLET_CALLS: dict[str, tuple[type[Message], Role, dict[str, object]]] = {
    "Charge": (
        pb.ChargeRequest,
        Role.PLATFORM_SERVICE,
        {"kind": "message", "quantity": 1, "reference": "message-1"},
    ),
    "GrantCredit": (
        pb.GrantCreditRequest,
        Role.OPERATOR,
        {"kind": "message", "amount_cents": 100, "reason": "Goodwill", "reference": "t-1"},
    ),
}


@pytest.mark.parametrize(
    ("method", "changes", "reason", "field"),
    [
        ("Charge", {"kind": "postcard"}, "kind_unknown", "kind"),
        ("Charge", {"quantity": 0}, "quantity_out_of_range", "quantity"),
        ("Charge", {"reference": " "}, "reference_missing", "reference"),
        ("GrantCredit", {"amount_cents": 0}, "amount_out_of_range", "amount_cents"),
        ("GrantCredit", {"reason": ""}, "reason_missing", "reason"),
        ("GrantCredit", {"reference": ""}, "reference_missing", "reference"),
        ("GrantCredit", {"kind": "tip"}, "kind_unknown", "kind"),
    ],
)
async def test_a_bad_charge_or_credit_names_its_field(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
    method: str,
    changes: dict[str, object],
    reason: str,
    field: str,
) -> None:
    message, role, fields = _WALLET_CALLS[method]
    request = message(account_id=str(uuid4()), facility_id="FAC-DEMO", **{**fields, **changes})
    call = getattr(ledger_pb2_grpc.LedgerServiceStub(channel), method)
    await refused_over_grpc(
        call(request, metadata=staff(token_keys, role)), INVALID_ARGUMENT, reason, field
    )
