"""The allowances part of kinlink.commissary.v1.CommissaryService as clients call it: a family
member creates, lists and ends their own; an officer of the facility reads one; refusals carry
their stable code and the request field at fault. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import grpc
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc

from tests.commissary_doubles import FACILITY
from tests.commissary_doubles import RESIDENT
from tests.commissary_doubles import deliver
from tests.commissary_doubles import purchase
from tests.commissary_doubles import release
from tests.conftest import TokenKeys
from tests.conftest import bearer

Stub = commissary_pb2_grpc.CommissaryServiceStub


def create_request(
    amount_cents: int = 2500, resident_id: str = RESIDENT
) -> pb.CreateAllowanceRequest:
    return pb.CreateAllowanceRequest(
        allowance_id=str(uuid4()),
        facility_id=FACILITY,
        resident_id=resident_id,
        amount_cents=amount_cents,
        payment_method="pm_card_visa",
    )


async def test_a_family_member_creates_lists_and_ends_an_allowance(
    commissary_stub: Stub, commissary: Commissary, token_keys: TokenKeys, clock: Clock
) -> None:
    family = str(uuid4())
    request = create_request(2500)

    created = await commissary_stub.CreateAllowance(request, metadata=token_keys.family(family))
    deliver(commissary, purchase("O-1", 900, clock.now))
    listed = await commissary_stub.ListAllowances(
        pb.ListAllowancesRequest(page_size=10), metadata=token_keys.family(family)
    )
    ended = await commissary_stub.EndAllowance(
        pb.EndAllowanceRequest(allowance_id=request.allowance_id),
        metadata=token_keys.family(family),
    )

    assert (created.allowance_id, created.account_id) == (request.allowance_id, family)
    assert (created.status, created.left_cents) == (pb.ALLOWANCE_STATUS_ACTIVE, 2500)
    (shown,) = listed.allowances
    assert (shown.used_cents, shown.left_cents) == (900, 1600)
    assert [(u.order_reference, u.amount_cents) for u in shown.uses] == [("O-1", 900)]
    assert (ended.status, ended.left_cents) == (pb.ALLOWANCE_STATUS_ENDING, 0)
    assert ended.ended_at.ToDatetime().replace(tzinfo=clock.now.tzinfo) == clock.now


async def test_staff_of_its_facility_see_it_and_nobody_else_does(
    commissary_stub: Stub, token_keys: TokenKeys
) -> None:
    request = create_request()
    await commissary_stub.CreateAllowance(request, metadata=token_keys.family(str(uuid4())))
    get = pb.GetAllowanceRequest(allowance_id=request.allowance_id)
    officer = token_keys.token("officer", Role.FACILITY_OFFICER, facilities=[FACILITY])
    elsewhere = token_keys.token("officer-2", Role.FACILITY_OFFICER, facilities=["FAC-X"])

    seen = await commissary_stub.GetAllowance(get, metadata=bearer(officer))

    assert seen.amount_cents == 2500
    for metadata in (bearer(elsewhere), token_keys.family(str(uuid4()))):
        await refused_over_grpc(
            commissary_stub.GetAllowance(get, metadata=metadata),
            grpc.StatusCode.NOT_FOUND,
            "allowance_not_found",
            "allowance_id",
        )
    await refused_over_grpc(
        commissary_stub.CreateAllowance(create_request(), metadata=bearer(officer)),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )


async def test_refusals_name_the_field_at_fault(
    commissary_stub: Stub, commissary: Commissary, token_keys: TokenKeys
) -> None:
    family = token_keys.family(str(uuid4()))
    release(commissary, RESIDENT)
    bad_id = create_request()
    bad_id.allowance_id = "not-a-uuid"
    reused = create_request(resident_id="R-2")
    await commissary_stub.CreateAllowance(reused, metadata=family)
    reused.amount_cents += 1

    code = grpc.StatusCode
    cases = [
        (bad_id, code.INVALID_ARGUMENT, "allowance_id_invalid", "allowance_id"),
        (create_request(0), code.INVALID_ARGUMENT, "amount_not_positive", "amount_cents"),
        (create_request(), code.FAILED_PRECONDITION, "resident_released", "resident_id"),
        (reused, code.ALREADY_EXISTS, "allowance_id_reused", "allowance_id"),
    ]
    for request, status, reason, field in cases:
        await refused_over_grpc(
            commissary_stub.CreateAllowance(request, metadata=family), status, reason, field
        )
