"""The facility calls of IdentityService: operators configure, anyone may look."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.auth import PUBLIC
from kinlink_kit.auth import Role
from kinlink_kit.grpc_helpers import request_fields

from kinlink_identity.entrypoints.facility_settings_message import facility_message
from kinlink_identity.entrypoints.facility_settings_message import settings_of
from kinlink_identity.entrypoints.messages import REQUEST_FIELDS
from kinlink_identity.entrypoints.messages import method
from kinlink_identity.service_layer.configure_facility import ConfigureFacility
from kinlink_identity.service_layer.configure_facility import configure_facility
from kinlink_identity.service_layer.find_facilities import get_facility
from kinlink_identity.service_layer.find_facilities import list_facilities
from kinlink_identity.service_layer.identity import Identity

FACILITIES_POLICY = {
    method("ConfigureFacility"): frozenset({Role.OPERATOR}),
    method("GetFacility"): PUBLIC,
    method("ListFacilities"): PUBLIC,
}


class FacilitiesApi:
    identity: Identity

    async def ConfigureFacility(
        self, request: pb.ConfigureFacilityRequest, context: grpc.aio.ServicerContext
    ) -> pb.Facility:
        command = ConfigureFacility(request.facility_id, settings_of(request.settings))
        with request_fields(REQUEST_FIELDS):
            facility = await asyncio.to_thread(configure_facility, self.identity, command)
        return facility_message(facility.facility_id, facility.revision, facility.settings)

    async def GetFacility(
        self, request: pb.GetFacilityRequest, context: grpc.aio.ServicerContext
    ) -> pb.Facility:
        with request_fields(REQUEST_FIELDS):
            facility = await asyncio.to_thread(get_facility, self.identity, request.facility_id)
        return facility_message(facility.facility_id, facility.revision, facility.settings)

    async def ListFacilities(
        self, request: pb.ListFacilitiesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListFacilitiesResponse:
        facilities = await asyncio.to_thread(list_facilities, self.identity)
        return pb.ListFacilitiesResponse(
            facilities=[facility_message(f.facility_id, f.revision, f.settings) for f in facilities]
        )
