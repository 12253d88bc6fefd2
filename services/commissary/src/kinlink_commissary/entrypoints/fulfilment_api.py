"""RecordPackDecision and ListFlaggedOrders: what a facility did with a pack whose resident left
(an officer of the facility), and the orders support and the facility must look at."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields

from kinlink_commissary.entrypoints.messages import REQUEST_FIELDS
from kinlink_commissary.entrypoints.messages import method
from kinlink_commissary.entrypoints.orders_api import order_message
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.decide_pack import DecidePack
from kinlink_commissary.service_layer.decide_pack import record_pack_decision
from kinlink_commissary.service_layer.list_flagged_orders import ListFlaggedOrders
from kinlink_commissary.service_layer.list_flagged_orders import list_flagged_orders

# Operators decide for any facility (their scope is every one), officers for theirs.
_FACILITY_STAFF = frozenset({Role.FACILITY_OFFICER, Role.OPERATOR})
FULFILMENT_POLICY: AccessPolicy = {
    method("RecordPackDecision"): _FACILITY_STAFF,
    method("ListFlaggedOrders"): _FACILITY_STAFF,
}
FULFILMENT_FIELDS = {
    **REQUEST_FIELDS,
    **dict.fromkeys(("order_not_found", "order_id_invalid"), "order_id"),
    **dict.fromkeys(
        ("pack_decision_unknown", "pack_already_decided", "resident_not_left"), "decision"
    ),
    "note_too_long": "note",
    "facility_id_required": "facility_id",
}


class FulfilmentApi:
    commissary: Commissary

    async def RecordPackDecision(
        self, request: pb.RecordPackDecisionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Order:
        with request_fields(FULFILMENT_FIELDS):
            command = DecidePack(
                parse_id(request.order_id, "order_id"), request.decision, request.note
            )
            order = await asyncio.to_thread(
                record_pack_decision, self.commissary, current_principal(), command
            )
        return order_message(order)

    async def ListFlaggedOrders(
        self, request: pb.ListFlaggedOrdersRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListOrdersResponse:
        command = ListFlaggedOrders(request.facility_id, request.page_size, request.page_token)
        with request_fields(FULFILMENT_FIELDS):
            page = await asyncio.to_thread(
                list_flagged_orders, self.commissary, current_principal(), command
            )
        return pb.ListOrdersResponse(
            orders=[order_message(order) for order in page.rows],
            next_page_token=page.next_page_token,
        )
