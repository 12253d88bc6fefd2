"""The resident calls of IdentityService: staff book, transfer and release; families search."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import asdict
from types import MappingProxyType
from typing import TypeVar

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_identity.adapters.resident_directory_view import ResidentSummary
from kinlink_identity.domain.resident import Resident
from kinlink_identity.domain.resident import ResidentStatus
from kinlink_identity.entrypoints.messages import REQUEST_FIELDS
from kinlink_identity.entrypoints.messages import method
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.list_residents import ListResidents
from kinlink_identity.service_layer.list_residents import list_residents
from kinlink_identity.service_layer.residents import BookResident
from kinlink_identity.service_layer.residents import ReleaseResident
from kinlink_identity.service_layer.residents import TransferResident
from kinlink_identity.service_layer.residents import book_resident
from kinlink_identity.service_layer.residents import release_resident
from kinlink_identity.service_layer.residents import transfer_resident
from kinlink_identity.service_layer.search_residents import SearchResidents
from kinlink_identity.service_layer.search_residents import search_residents

Command = TypeVar("Command", BookResident, TransferResident, ReleaseResident)

_CUSTODY = frozenset({Role.OPERATOR, Role.FACILITY_OFFICER, Role.FACILITY_INTEGRATION})
RESIDENTS_POLICY = {
    method("BookResident"): _CUSTODY,
    method("TransferResident"): _CUSTODY,
    method("ReleaseResident"): _CUSTODY,
    method("SearchResidents"): frozenset(
        {Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.OPERATOR, Role.AUDITOR}
    ),
    method("ListResidents"): frozenset({Role.FACILITY_OFFICER, Role.OPERATOR, Role.AUDITOR}),
}

_CUSTODY_FIELDS = {
    **REQUEST_FIELDS,
    "resident_not_found": "resident_id",
    "resident_not_in_custody": "resident_id",
    "resident_already_booked": "resident_id",
    "transfer_to_same_facility": "to_facility_id",
    "to_facility_out_of_scope": "to_facility_id",
}
# A transfer books the resident at the destination: what refuses that booking is about the
# destination's ids.
_DESTINATION_FIELDS = {
    "facility_not_found": "to_facility_id",
    "resident_already_booked": "to_resident_id",
}

_STATUS = proto_enum(ResidentStatus, pb.ResidentStatus)
_STATUS_OF = {value: status for status, value in _STATUS.items()}


def resident_message(resident: Resident) -> pb.Resident:
    return pb.Resident(
        facility_id=resident.facility_id,
        resident_id=resident.resident_id,
        first_name=resident.first_name,
        last_name=resident.last_name,
        status=_STATUS[resident.status],
        transferred_to_facility_id=resident.transferred_to_facility_id,
        transferred_to_resident_id=resident.transferred_to_resident_id,
    )


def summary_message(summary: ResidentSummary) -> pb.ResidentSummary:
    fields = asdict(summary)
    return pb.ResidentSummary(**fields | {"status": _STATUS[ResidentStatus(summary.status)]})


class ResidentsApi:
    identity: Identity

    async def BookResident(
        self, request: pb.BookResidentRequest, context: grpc.aio.ServicerContext
    ) -> pb.Resident:
        command = BookResident(
            request.facility_id, request.resident_id, request.first_name, request.last_name
        )
        return await self._custody(book_resident, command)

    async def TransferResident(
        self, request: pb.TransferResidentRequest, context: grpc.aio.ServicerContext
    ) -> pb.Resident:
        command = TransferResident(
            request.facility_id, request.resident_id, request.to_facility_id, request.to_resident_id
        )
        return await self._custody(transfer_resident, command, _DESTINATION_FIELDS)

    async def ReleaseResident(
        self, request: pb.ReleaseResidentRequest, context: grpc.aio.ServicerContext
    ) -> pb.Resident:
        return await self._custody(
            release_resident, ReleaseResident(request.facility_id, request.resident_id)
        )

    async def _custody(
        self,
        change: Callable[[Identity, Principal, Command], Resident],
        command: Command,
        fields: Mapping[str, str] = MappingProxyType({}),
    ) -> pb.Resident:
        with request_fields(_CUSTODY_FIELDS, fields):
            resident = await asyncio.to_thread(change, self.identity, current_principal(), command)
        return resident_message(resident)

    async def SearchResidents(
        self, request: pb.SearchResidentsRequest, context: grpc.aio.ServicerContext
    ) -> pb.SearchResidentsResponse:
        command = SearchResidents(request.last_name, request.resident_id, request.facility_id)
        with request_fields(last_name_too_short="last_name"):
            found = await asyncio.to_thread(search_residents, self.identity, command)
        return pb.SearchResidentsResponse(residents=[summary_message(s) for s in found])

    async def ListResidents(
        self, request: pb.ListResidentsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListResidentsResponse:
        if request.status and request.status not in _STATUS_OF:
            raise InvalidArgument("status_invalid", "No such resident status.", field="status")
        command = ListResidents(
            request.facility_id,
            _STATUS_OF.get(request.status),
            request.page_size,
            request.page_token,
        )
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(
                list_residents, self.identity, current_principal(), command
            )
        return pb.ListResidentsResponse(
            residents=[summary_message(summary) for summary in page.rows],
            next_page_token=page.next_page_token,
        )
