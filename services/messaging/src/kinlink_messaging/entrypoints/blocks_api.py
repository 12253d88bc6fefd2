"""BlockResident, UnblockResident and ListBlockedResidents: a family member decides, at any
time, which residents may no longer exchange messages with them."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import request_fields

from kinlink_messaging.entrypoints.messages import FAMILY
from kinlink_messaging.entrypoints.messages import REQUEST_FIELDS
from kinlink_messaging.entrypoints.messages import caller_account
from kinlink_messaging.entrypoints.messages import method
from kinlink_messaging.entrypoints.messages import timestamp
from kinlink_messaging.service_layer.block_resident import block_resident
from kinlink_messaging.service_layer.list_blocked_residents import BlockedResident
from kinlink_messaging.service_layer.list_blocked_residents import list_blocked_residents
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.unblock_resident import unblock_resident

BLOCKS_POLICY: AccessPolicy = {
    method("BlockResident"): FAMILY,
    method("UnblockResident"): FAMILY,
    method("ListBlockedResidents"): FAMILY,
}


def blocked_message(blocked: BlockedResident) -> pb.BlockedResident:
    return pb.BlockedResident(
        facility_id=blocked.facility_id,
        resident_id=blocked.resident_id,
        blocked_at=timestamp(blocked.blocked_at),
    )


class BlocksApi:
    messaging: Messaging

    async def BlockResident(
        self, request: pb.BlockResidentRequest, context: grpc.aio.ServicerContext
    ) -> pb.BlockedResident:
        account_id = caller_account()
        with request_fields(REQUEST_FIELDS):
            blocks = await asyncio.to_thread(
                block_resident,
                self.messaging,
                account_id,
                request.facility_id,
                request.resident_id,
            )
        at = blocks.blocked[(request.facility_id, request.resident_id)]
        return blocked_message(BlockedResident(request.facility_id, request.resident_id, at))

    async def UnblockResident(
        self, request: pb.UnblockResidentRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        account_id = caller_account()
        with request_fields(REQUEST_FIELDS):
            await asyncio.to_thread(
                unblock_resident,
                self.messaging,
                account_id,
                request.facility_id,
                request.resident_id,
            )
        return pb.Accepted()

    async def ListBlockedResidents(
        self, request: pb.ListBlockedResidentsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListBlockedResidentsResponse:
        blocked = await asyncio.to_thread(list_blocked_residents, self.messaging, caller_account())
        return pb.ListBlockedResidentsResponse(residents=[blocked_message(b) for b in blocked])
