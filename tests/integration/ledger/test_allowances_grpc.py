"""Commissary allowances over gRPC, as the commissary and families call them: who may hold, see
and end which allowance, the refusals' statuses with their stable reason and field, and the hold
sweep running in a served ledger. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import grpc
import pytest
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refused_over_grpc
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.integration.ledger.test_allowances import allowance
from tests.integration.ledger.test_allowances import authorize
from tests.ledger_facilities import BROTHER
from tests.ledger_facilities import D1
from tests.ledger_facilities import MOTHER
from tests.ledger_grpc import Refusal
from tests.ledger_grpc import refused_by_the_ledger

NOT_FOUND = grpc.StatusCode.NOT_FOUND
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
FAMILY = Role.FAMILY_MEMBER


def hold_request(**changes: object) -> pb.AuthorizeAllowanceRequest:
    fields: dict[str, object] = {
        "allowance_id": str(uuid4()),
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "amount_cents": 5000,
        "payment_method": "pm_card_visa",
    }
    return pb.AuthorizeAllowanceRequest(**{**fields, **changes})


async def test_a_family_member_holds_sees_and_ends_only_their_own_allowances(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    mother, stranger = MOTHER, BROTHER
    mine = token_keys.family(mother)
    held = await stub.AuthorizeAllowance(hold_request(account_id=stranger), metadata=mine)
    assert held.account_id == mother, "a family member holds their own card, whatever they name"
    assert (held.status, held.authorized_cents) == (pb.ALLOWANCE_STATUS_AUTHORIZED, 5000)
    assert held.hold_expires_at.seconds > 0

    get = pb.GetAllowanceRequest(allowance_id=held.allowance_id)
    end = pb.EndAllowanceRequest(allowance_id=held.allowance_id)
    theirs = token_keys.family(stranger)
    await refused_over_grpc(
        stub.GetAllowance(get, metadata=theirs), NOT_FOUND, "allowance_not_found", "allowance_id"
    )
    await refused_over_grpc(
        stub.EndAllowance(end, metadata=theirs), NOT_FOUND, "allowance_not_found", "allowance_id"
    )
    assert (await stub.GetAllowance(get, metadata=mine)).status == pb.ALLOWANCE_STATUS_AUTHORIZED

    ended = await stub.EndAllowance(end, metadata=mine)
    assert (ended.status, ended.captured_cents, ended.released_cents) == (
        pb.ALLOWANCE_STATUS_ENDED,
        0,
        5000,
    )


async def test_staff_see_allowances_of_their_facilities_and_the_commissary_holds_and_ends_them(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    commissary = staff(token_keys, Role.PLATFORM_SERVICE)
    family = D1
    held = await stub.AuthorizeAllowance(hold_request(account_id=family), metadata=commissary)
    assert held.account_id == family
    get = pb.GetAllowanceRequest(allowance_id=held.allowance_id)
    callers: list[Metadata] = [
        staff(token_keys, Role.FACILITY_OFFICER, ("FAC-DEMO",)),
        staff(token_keys, Role.OPERATOR),
        staff(token_keys, Role.AUDITOR),
        commissary,
    ]
    for caller in callers:
        assert (await stub.GetAllowance(get, metadata=caller)).allowance_id == held.allowance_id
    elsewhere = staff(token_keys, Role.FACILITY_OFFICER, ("FAC-EAST",))
    await refused_over_grpc(
        stub.GetAllowance(get, metadata=elsewhere), NOT_FOUND, "allowance_not_found", "allowance_id"
    )
    end = pb.EndAllowanceRequest(allowance_id=held.allowance_id)
    assert (await stub.EndAllowance(end, metadata=commissary)).status == pb.ALLOWANCE_STATUS_ENDED


@pytest.mark.parametrize(
    "refusal",
    [
        ({"allowance_id": "x"}, FAMILY, INVALID_ARGUMENT, "allowance_id_invalid", "allowance_id"),
        ({"amount_cents": 0}, FAMILY, INVALID_ARGUMENT, "amount_not_positive", "amount_cents"),
        ({"resident_id": " "}, FAMILY, INVALID_ARGUMENT, "resident_id_missing", "resident_id"),
        (
            {"payment_method": "pm_nope"},
            FAMILY,
            NOT_FOUND,
            "payment_method_not_found",
            "payment_method",
        ),
        ({"facility_id": "FAC-NOWHERE"}, FAMILY, NOT_FOUND, "facility_not_found", "facility_id"),
        ({}, Role.PLATFORM_SERVICE, INVALID_ARGUMENT, "account_id_missing", "account_id"),
        ({}, Role.OPERATOR, PERMISSION_DENIED, "role_not_allowed", None),
    ],
)
async def test_a_refused_hold_carries_its_status_reason_and_field(
    channel: grpc.aio.Channel, token_keys: TokenKeys, refusal: Refusal
) -> None:
    await refused_by_the_ledger(channel, token_keys, "AuthorizeAllowance", hold_request, refusal)


async def test_unknown_allowances_and_callers_without_the_role_are_refused(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    family = token_keys.family(str(uuid4()))
    await refused_over_grpc(
        stub.GetAllowance(pb.GetAllowanceRequest(allowance_id="x"), metadata=family),
        INVALID_ARGUMENT,
        "allowance_id_invalid",
        "allowance_id",
    )
    unknown = str(uuid4())
    await refused_over_grpc(
        stub.EndAllowance(pb.EndAllowanceRequest(allowance_id=unknown), metadata=family),
        NOT_FOUND,
        "allowance_not_found",
        "allowance_id",
    )
    officer = staff(token_keys, Role.FACILITY_OFFICER, ("FAC-DEMO",))
    await refused_over_grpc(
        stub.EndAllowance(pb.EndAllowanceRequest(allowance_id=unknown), metadata=officer),
        PERMISSION_DENIED,
        "role_not_allowed",
    )


async def test_a_served_ledger_ends_holds_about_to_expire(
    ledger: Ledger, ledger_settings: LedgerSettings, clock: Clock, token_keys: TokenKeys
) -> None:
    allowance_id = authorize(ledger, 5000)
    clock.now += timedelta(days=ledger_settings.allowance_hold_days)
    bus = InMemoryBus()

    async def ended() -> bool:
        return allowance(ledger, allowance_id).status is AllowanceStatus.ENDED

    async with serving([ledger_service(ledger_settings, bus, ledger)], bus, token_keys.verifier()):
        await eventually(ended, timeout=30)
        assert allowance(ledger, allowance_id).released == 5000
