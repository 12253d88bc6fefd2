"""AuthorizeAllowance, GetAllowance and EndAllowance: commissary allowances held on cards."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.entrypoints.messages import REQUEST_FIELDS
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.entrypoints.wallet_api import own_or_named_account
from kinlink_ledger.service_layer.authorize_allowance import AuthorizeAllowance
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.end_allowance import end_own_allowance
from kinlink_ledger.service_layer.get_allowance import get_allowance
from kinlink_ledger.service_layer.ledger import Ledger

# Family members act for themselves; the commissary (a platform service) for the family member.
_HOLDERS = frozenset({Role.FAMILY_MEMBER, Role.PLATFORM_SERVICE})
ALLOWANCES_POLICY: AccessPolicy = {
    method("AuthorizeAllowance"): _HOLDERS,
    # Which allowances each of them sees or ends is decided per allowance (service_layer).
    method("GetAllowance"): frozenset(
        {
            Role.FAMILY_MEMBER,
            Role.FACILITY_OFFICER,
            Role.OPERATOR,
            Role.AUDITOR,
            Role.PLATFORM_SERVICE,
        }
    ),
    method("EndAllowance"): _HOLDERS,
}

# An allowance being ended is still held until the processor has captured or released it.
_STATUS = proto_enum(AllowanceStatus, pb.AllowanceStatus, ENDING="AUTHORIZED")


def allowance_message(allowance: CommissaryAllowance) -> pb.Allowance:
    message = pb.Allowance(
        allowance_id=str(allowance.allowance_id),
        account_id=str(allowance.account_id),
        facility_id=allowance.facility_id,
        resident_id=allowance.resident_id,
        authorized_cents=allowance.authorized,
        captured_cents=allowance.captured,
        released_cents=allowance.released,
        status=_STATUS[allowance.status],
        decline_reason=allowance.decline_reason or "",
        receipt_number=allowance.receipt_number or "",
    )
    if allowance.hold_expires_at is not None:
        message.hold_expires_at.CopyFrom(timestamp(allowance.hold_expires_at))
    return message


class AllowancesApi:
    ledger: Ledger

    async def AuthorizeAllowance(
        self, request: pb.AuthorizeAllowanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Allowance:
        command = AuthorizeAllowance(
            parse_id(request.allowance_id, "allowance_id"),
            own_or_named_account(current_principal(), request.account_id),
            request.facility_id,
            request.resident_id,
            Cents(request.amount_cents),
            request.payment_method,
        )
        with request_fields(REQUEST_FIELDS):
            allowance = await asyncio.to_thread(authorize_allowance, self.ledger, command)
        return allowance_message(allowance)

    async def GetAllowance(
        self, request: pb.GetAllowanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Allowance:
        with request_fields(REQUEST_FIELDS):
            allowance = await asyncio.to_thread(
                get_allowance, self.ledger, request.allowance_id, current_principal()
            )
        return allowance_message(allowance)

    async def EndAllowance(
        self, request: pb.EndAllowanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Allowance:
        with request_fields(REQUEST_FIELDS):
            allowance = await asyncio.to_thread(
                end_own_allowance, self.ledger, request.allowance_id, current_principal()
            )
        return allowance_message(allowance)
