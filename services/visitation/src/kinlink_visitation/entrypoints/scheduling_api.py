"""Scheduling over gRPC: ListAvailability, ScheduleVisit, DirectDial, CancelVisit, GetVisit,
ListVisits and ListStationDay."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import date
from datetime import datetime

import grpc
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp

from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.entrypoints.messages import KINDS
from kinlink_visitation.entrypoints.messages import REQUEST_FIELDS
from kinlink_visitation.entrypoints.messages import caller_account
from kinlink_visitation.entrypoints.messages import method
from kinlink_visitation.entrypoints.messages import visit_message
from kinlink_visitation.service_layer.availability import AvailabilityQuery
from kinlink_visitation.service_layer.availability import list_availability
from kinlink_visitation.service_layer.cancel_visit import CancelVisit
from kinlink_visitation.service_layer.cancel_visit import cancel_visit
from kinlink_visitation.service_layer.list_visits import ListVisits
from kinlink_visitation.service_layer.list_visits import list_visits
from kinlink_visitation.service_layer.list_visits import station_day
from kinlink_visitation.service_layer.schedule_visit import DirectDial
from kinlink_visitation.service_layer.schedule_visit import ScheduleVisit
from kinlink_visitation.service_layer.schedule_visit import direct_dial
from kinlink_visitation.service_layer.schedule_visit import schedule_visit
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.visits_access import get_visit

FAMILY = frozenset({Role.FAMILY_MEMBER})
STAFF = frozenset({Role.FACILITY_OFFICER, Role.OPERATOR})
FAMILY_AND_STAFF = FAMILY | STAFF

SCHEDULING_POLICY: AccessPolicy = {
    method("ListAvailability"): FAMILY_AND_STAFF,
    method("ScheduleVisit"): FAMILY,
    method("DirectDial"): FAMILY,
    method("CancelVisit"): FAMILY_AND_STAFF,
    method("GetVisit"): FAMILY_AND_STAFF,
    method("ListVisits"): FAMILY_AND_STAFF,
    method("ListStationDay"): STAFF,
}

# The request field a booking's refusal is about, by its code.
SCHEDULING_FIELDS = {
    **dict.fromkeys(
        (
            "date_past",
            "beyond_booking_horizon",
            "date_blacked_out",
            "no_visiting_hours",
            "before_booking_lead_time",
            "slot_not_offered",
            "no_station_free",
            "resident_busy",
            "visitor_busy",
        ),
        "starts_at",
    ),
    **dict.fromkeys(("video_visits_unavailable", "facility_closed"), "facility_id"),
    "slot_minutes_not_offered": "slot_minutes",
    "kind_missing": "kind",
    "note_missing": "note",
}

_KIND_OF = {value: kind for kind, value in KINDS.items()}


def _kind(value: int) -> VisitKind | None:
    return _KIND_OF.get(value)


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidArgument(
            "date_invalid", "Give the day as YYYY-MM-DD, the facility's date.", field="date"
        ) from None


def _starts_at(request: pb.ScheduleVisitRequest) -> datetime:
    if not request.HasField("starts_at"):
        raise InvalidArgument(
            "starts_at_missing", "Choose when the visit starts.", field="starts_at"
        )
    return request.starts_at.ToDatetime(tzinfo=UTC)


class SchedulingApi:
    visitation: Visitation

    async def ListAvailability(
        self, request: pb.ListAvailabilityRequest, context: grpc.aio.ServicerContext
    ) -> pb.Availability:
        principal = current_principal()
        visitor = caller_account() if principal.has(Role.FAMILY_MEMBER) else None
        query = AvailabilityQuery(
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            day=_day(request.date),
            slot_minutes=request.slot_minutes,
            kind=_kind(request.kind),
        )
        with request_fields(REQUEST_FIELDS, SCHEDULING_FIELDS):
            if not principal.has(Role.FAMILY_MEMBER):
                principal.require_facility(query.facility_id.strip())
            found = await asyncio.to_thread(list_availability, self.visitation, visitor, query)
        return pb.Availability(
            facility_id=found.facility_id,
            date=found.day.isoformat(),
            facility_time_zone=found.time_zone,
            slots=[
                pb.Slot(
                    starts_at=timestamp(free.slot.starts_at),
                    ends_at=timestamp(free.slot.ends_at),
                    stations_free=free.stations_free,
                )
                for free in found.slots
            ],
            closed_reason=found.closed_reason.value if found.closed_reason else "",
            slot_minutes=found.slot_minutes,
            price_per_minute_cents=found.price_per_minute_cents,
        )

    async def ScheduleVisit(
        self, request: pb.ScheduleVisitRequest, context: grpc.aio.ServicerContext
    ) -> pb.Visit:
        command = ScheduleVisit(
            visit_id=parse_id(request.visit_id, "visit_id"),
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            kind=_kind(request.kind),
            starts_at=_starts_at(request),
            slot_minutes=request.slot_minutes,
        )
        with request_fields(REQUEST_FIELDS, SCHEDULING_FIELDS):
            visit = await asyncio.to_thread(
                schedule_visit, self.visitation, caller_account(), command
            )
        return visit_message(visit, self.visitation.clock())

    async def DirectDial(
        self, request: pb.DirectDialRequest, context: grpc.aio.ServicerContext
    ) -> pb.Visit:
        command = DirectDial(
            visit_id=parse_id(request.visit_id, "visit_id"),
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            kind=_kind(request.kind),
        )
        with request_fields(REQUEST_FIELDS, SCHEDULING_FIELDS):
            visit = await asyncio.to_thread(direct_dial, self.visitation, caller_account(), command)
        return visit_message(visit, self.visitation.clock())

    async def CancelVisit(
        self, request: pb.CancelVisitRequest, context: grpc.aio.ServicerContext
    ) -> pb.Visit:
        command = CancelVisit(parse_id(request.visit_id, "visit_id"), request.note)
        with request_fields(REQUEST_FIELDS, SCHEDULING_FIELDS, visit_not_cancellable="visit_id"):
            visit = await asyncio.to_thread(
                cancel_visit, self.visitation, current_principal(), command
            )
        return visit_message(visit, self.visitation.clock())

    async def GetVisit(
        self, request: pb.GetVisitRequest, context: grpc.aio.ServicerContext
    ) -> pb.Visit:
        visit_id = parse_id(request.visit_id, "visit_id")
        with request_fields(REQUEST_FIELDS):
            visit = await asyncio.to_thread(
                get_visit, self.visitation, current_principal(), visit_id
            )
        return visit_message(visit, self.visitation.clock())

    async def ListVisits(
        self, request: pb.ListVisitsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListVisitsResponse:
        command = ListVisits(
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            upcoming_only=request.upcoming_only,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(
                list_visits, self.visitation, current_principal(), command
            )
        now = self.visitation.clock()
        return pb.ListVisitsResponse(
            visits=[visit_message(visit, now) for visit in page.rows],
            next_page_token=page.next_page_token,
        )

    async def ListStationDay(
        self, request: pb.ListStationDayRequest, context: grpc.aio.ServicerContext
    ) -> pb.StationDay:
        day = _day(request.date)
        with request_fields(REQUEST_FIELDS):
            found = await asyncio.to_thread(
                station_day, self.visitation, current_principal(), request.facility_id, day
            )
        now = self.visitation.clock()
        return pb.StationDay(
            facility_id=found.facility_id,
            date=found.day.isoformat(),
            facility_time_zone=found.time_zone,
            stations=[
                pb.StationSchedule(
                    station=station, visits=[visit_message(visit, now) for visit in visits]
                )
                for station, visits in found.stations.items()
            ],
        )
