"""CreateAllowance, GetAllowance, ListAllowances and EndAllowance: the allowances families give
residents for commissary."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceStatus
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.entrypoints.messages import REQUEST_FIELDS
from kinlink_commissary.entrypoints.messages import caller_account
from kinlink_commissary.entrypoints.messages import method
from kinlink_commissary.service_layer.allowances import allowance_for
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_commissary.service_layer.end_allowance import end_own_allowance
from kinlink_commissary.service_layer.list_allowances import ListAllowances
from kinlink_commissary.service_layer.list_allowances import list_allowances

_FAMILY = frozenset({Role.FAMILY_MEMBER})
ALLOWANCES_POLICY: AccessPolicy = {
    method("CreateAllowance"): _FAMILY,
    # Which allowances each of them sees is decided per allowance (service_layer.allowances).
    method("GetAllowance"): frozenset(
        {Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.OPERATOR, Role.PLATFORM_SERVICE}
    ),
    method("ListAllowances"): _FAMILY,
    method("EndAllowance"): _FAMILY,
}

_STATUS = proto_enum(AllowanceStatus, pb.AllowanceStatus)


def allowance_message(allowance: Allowance) -> pb.Allowance:
    message = pb.Allowance(
        allowance_id=str(allowance.allowance_id),
        account_id=str(allowance.account_id),
        facility_id=allowance.facility_id,
        resident_id=allowance.resident_id,
        amount_cents=allowance.amount_cents,
        used_cents=allowance.used_cents,
        left_cents=allowance.left_cents,
        status=_STATUS[allowance.status],
        decline_reason=allowance.decline_reason,
        created_at=timestamp(allowance.created_at),
        period_ends_at=timestamp(allowance.period_ends_at),
        uses=[
            pb.AllowanceUse(
                order_reference=use.order_reference,
                amount_cents=use.amount_cents,
                purchased_at=timestamp(use.purchased_at),
            )
            for use in allowance.uses
        ],
        captured_cents=allowance.captured_cents,
        released_cents=allowance.released_cents,
        receipt_number=allowance.receipt_number,
    )
    if allowance.ended_at is not None:
        message.ended_at.CopyFrom(timestamp(allowance.ended_at))
    return message


class AllowancesApi:
    commissary: Commissary

    async def CreateAllowance(
        self, request: pb.CreateAllowanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Allowance:
        command = CreateAllowance(
            parse_id(request.allowance_id, "allowance_id"),
            AllowanceRequest(
                account_id=caller_account(),
                facility_id=request.facility_id,
                resident_id=request.resident_id,
                amount_cents=request.amount_cents,
                payment_method=request.payment_method,
            ),
        )
        with request_fields(REQUEST_FIELDS):
            allowance = await asyncio.to_thread(create_allowance, self.commissary, command)
        return allowance_message(allowance)

    async def GetAllowance(
        self, request: pb.GetAllowanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Allowance:
        allowance_id = parse_id(request.allowance_id, "allowance_id")
        with request_fields(REQUEST_FIELDS):
            allowance = await asyncio.to_thread(
                allowance_for, self.commissary, allowance_id, current_principal()
            )
        return allowance_message(allowance)

    async def ListAllowances(
        self, request: pb.ListAllowancesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListAllowancesResponse:
        query = ListAllowances(
            account_id=caller_account(),
            facility_id=request.facility_id.strip(),
            resident_id=request.resident_id.strip(),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(list_allowances, self.commissary, query)
        return pb.ListAllowancesResponse(
            allowances=[allowance_message(a) for a in page.rows],
            next_page_token=page.next_page_token,
        )

    async def EndAllowance(
        self, request: pb.EndAllowanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Allowance:
        allowance_id = parse_id(request.allowance_id, "allowance_id")
        with request_fields(REQUEST_FIELDS):
            allowance = await asyncio.to_thread(
                end_own_allowance, self.commissary, allowance_id, current_principal()
            )
        return allowance_message(allowance)
