"""GetJoinTicket: a way into the visit's video room for the visitor (a family member) or the
station (staff of the facility, the kiosk signed in as them)."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp

from kinlink_visitation.domain.visit import Side
from kinlink_visitation.entrypoints.messages import REQUEST_FIELDS
from kinlink_visitation.entrypoints.messages import SIDES
from kinlink_visitation.entrypoints.messages import method
from kinlink_visitation.service_layer.join_ticket import GetJoinTicket
from kinlink_visitation.service_layer.join_ticket import join_ticket
from kinlink_visitation.service_layer.visitation import Visitation

CONNECTING_POLICY: AccessPolicy = {
    method("GetJoinTicket"): frozenset({Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.OPERATOR}),
}
_SIDE_OF = {proto: side for side, proto in SIDES.items()}


class SideInvalid(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("side_invalid", "Say which side joins: the visitor or the station.")


class ConnectingApi:
    visitation: Visitation

    async def GetJoinTicket(
        self, request: pb.GetJoinTicketRequest, context: grpc.aio.ServicerContext
    ) -> pb.JoinTicket:
        with request_fields(REQUEST_FIELDS, side_invalid="side"):
            visit_id = parse_id(request.visit_id, "visit_id")
            side = _side(request.side)
            ticket = await asyncio.to_thread(
                join_ticket, self.visitation, current_principal(), GetJoinTicket(visit_id, side)
            )
        return pb.JoinTicket(
            visit_id=str(visit_id),
            url=ticket.url,
            token=ticket.token,
            room=ticket.room,
            identity=ticket.identity,
            valid_from=timestamp(ticket.valid_from),
            valid_until=timestamp(ticket.valid_until),
        )


def _side(value: int) -> Side:
    if value not in _SIDE_OF:
        raise SideInvalid()
    return _SIDE_OF[value]
