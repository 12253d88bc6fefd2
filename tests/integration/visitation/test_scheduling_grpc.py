"""Scheduling in kinlink.visitation.v1.VisitationService as clients call it: a family member sees
a day's free slots, books, lists and cancels; an officer sees the day per station and cancels
with a note; refusals carry their stable code and the request field at fault. On SQLite and on
the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from uuid import uuid4

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.visitation_doubles import FACILITY
from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import OTHER_FACILITY
from tests.visitation_doubles import RESIDENT
from tests.visitation_doubles import local

Stub = visitation_pb2_grpc.VisitationServiceStub


def at(instant: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


def schedule_request(start: datetime, **changes: object) -> pb.ScheduleVisitRequest:
    fields: dict[str, object] = {
        "visit_id": str(uuid4()),
        "facility_id": FACILITY,
        "resident_id": RESIDENT,
        "kind": pb.VISIT_KIND_REMOTE,
        "starts_at": at(start),
        "slot_minutes": 30,
        **changes,
    }
    return pb.ScheduleVisitRequest(**fields)  # type: ignore[arg-type]


def officer(token_keys: TokenKeys, facility_id: str = FACILITY) -> list[tuple[str, str]]:
    return bearer(token_keys.token(str(uuid4()), Role.FACILITY_OFFICER, facilities=[facility_id]))


async def test_a_family_member_books_from_the_free_slots_lists_and_cancels(
    visitation_stub: Stub, token_keys: TokenKeys
) -> None:
    family = str(uuid4())
    day = await visitation_stub.ListAvailability(
        pb.ListAvailabilityRequest(
            facility_id=FACILITY, resident_id=RESIDENT, date=FRIDAY.isoformat(), slot_minutes=30
        ),
        metadata=token_keys.family(family),
    )
    assert (day.facility_time_zone, day.closed_reason, day.price_per_minute_cents) == (
        "America/Chicago",
        "",
        25,
    )
    first = day.slots[0]
    assert first.starts_at.ToDatetime(tzinfo=UTC) == local(FRIDAY, 8)
    assert first.stations_free == 2

    request = schedule_request(first.starts_at.ToDatetime(tzinfo=UTC))
    visit = await visitation_stub.ScheduleVisit(request, metadata=token_keys.family(family))
    assert (visit.visit_id, visit.account_id, visit.station) == (request.visit_id, family, 1)
    assert (visit.status, visit.kind) == (pb.VISIT_STATUS_SCHEDULED, pb.VISIT_KIND_REMOTE)
    assert (visit.ends_at.ToDatetime(tzinfo=UTC), visit.facility_time_zone) == (
        local(FRIDAY, 8, 30),
        "America/Chicago",
    )
    assert not visit.HasField("cancelled_at") and not visit.HasField("started_at")

    listed = await visitation_stub.ListVisits(
        pb.ListVisitsRequest(page_size=10, upcoming_only=True), metadata=token_keys.family(family)
    )
    assert [shown.visit_id for shown in listed.visits] == [request.visit_id]

    cancelled = await visitation_stub.CancelVisit(
        pb.CancelVisitRequest(visit_id=request.visit_id), metadata=token_keys.family(family)
    )
    assert (cancelled.status, cancelled.cancelled_by) == (
        pb.VISIT_STATUS_CANCELLED,
        pb.CANCELLED_BY_VISITOR,
    )
    assert cancelled.HasField("cancelled_at")


async def test_an_officer_sees_the_day_per_station_and_cancels_with_a_note(
    visitation_stub: Stub, token_keys: TokenKeys
) -> None:
    family = str(uuid4())
    request = schedule_request(local(FRIDAY, 9))
    await visitation_stub.ScheduleVisit(request, metadata=token_keys.family(family))
    day = await visitation_stub.ListStationDay(
        pb.ListStationDayRequest(facility_id=FACILITY, date=FRIDAY.isoformat()),
        metadata=officer(token_keys),
    )
    assert [(s.station, [v.visit_id for v in s.visits]) for s in day.stations] == [
        (1, [request.visit_id]),
        (2, []),
    ]
    await refused_over_grpc(
        visitation_stub.CancelVisit(
            pb.CancelVisitRequest(visit_id=request.visit_id), metadata=officer(token_keys)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "note_missing",
        "note",
    )
    cancelled = await visitation_stub.CancelVisit(
        pb.CancelVisitRequest(visit_id=request.visit_id, note="Facility count"),
        metadata=officer(token_keys),
    )
    assert (cancelled.cancelled_by, cancelled.cancel_note) == (
        pb.CANCELLED_BY_FACILITY,
        "Facility count",
    )
    await refused_over_grpc(
        visitation_stub.ListStationDay(
            pb.ListStationDayRequest(facility_id=FACILITY, date=FRIDAY.isoformat()),
            metadata=officer(token_keys, OTHER_FACILITY),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    await refused_over_grpc(
        visitation_stub.ListStationDay(
            pb.ListStationDayRequest(facility_id=FACILITY, date=FRIDAY.isoformat()),
            metadata=token_keys.family(family),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        (
            {"visit_id": "not-a-uuid"},
            grpc.StatusCode.INVALID_ARGUMENT,
            "visit_id_invalid",
            "visit_id",
        ),
        ({"starts_at": None}, grpc.StatusCode.INVALID_ARGUMENT, "starts_at_missing", "starts_at"),
        (
            {"kind": pb.VISIT_KIND_UNSPECIFIED},
            grpc.StatusCode.INVALID_ARGUMENT,
            "kind_missing",
            "kind",
        ),
        (
            {"slot_minutes": 45},
            grpc.StatusCode.INVALID_ARGUMENT,
            "slot_minutes_not_offered",
            "slot_minutes",
        ),
        (
            {"starts_at": at(local(FRIDAY, 9, 10))},
            grpc.StatusCode.INVALID_ARGUMENT,
            "slot_not_offered",
            "starts_at",
        ),
        (
            {"starts_at": at(local(FRIDAY.replace(day=26), 9))},
            grpc.StatusCode.FAILED_PRECONDITION,
            "before_booking_lead_time",
            "starts_at",
        ),
        ({"resident_id": "R-404"}, grpc.StatusCode.NOT_FOUND, "resident_not_found", "resident_id"),
        (
            {"facility_id": "FAC-404"},
            grpc.StatusCode.NOT_FOUND,
            "facility_not_found",
            "facility_id",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
async def test_a_booking_refused_names_its_code_and_field(
    visitation_stub: Stub,
    token_keys: TokenKeys,
    changes: dict[str, object],
    status: grpc.StatusCode,
    code: str,
    field: str,
) -> None:
    request = schedule_request(local(FRIDAY, 9), **changes)
    await refused_over_grpc(
        visitation_stub.ScheduleVisit(request, metadata=token_keys.family(str(uuid4()))),
        status,
        code,
        field,
    )


async def test_a_slot_taken_is_refused_on_its_start(
    visitation_stub: Stub, token_keys: TokenKeys
) -> None:
    await visitation_stub.ScheduleVisit(
        schedule_request(local(FRIDAY, 9)), metadata=token_keys.family(str(uuid4()))
    )
    await refused_over_grpc(
        visitation_stub.ScheduleVisit(
            schedule_request(local(FRIDAY, 9)), metadata=token_keys.family(str(uuid4()))
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "resident_busy",
        "starts_at",
    )


async def test_a_direct_dial_when_the_facility_is_closed_is_refused(
    visitation_stub: Stub, token_keys: TokenKeys, clock: Clock
) -> None:
    clock.now = local(FRIDAY, 12).astimezone(UTC)
    await refused_over_grpc(
        visitation_stub.DirectDial(
            pb.DirectDialRequest(
                visit_id=str(uuid4()),
                facility_id=FACILITY,
                resident_id=RESIDENT,
                kind=pb.VISIT_KIND_IN_FACILITY,
            ),
            metadata=token_keys.family(str(uuid4())),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "facility_closed",
        "facility_id",
    )
    clock.now = local(FRIDAY, 13).astimezone(UTC)
    dialled = await visitation_stub.DirectDial(
        pb.DirectDialRequest(
            visit_id=str(uuid4()),
            facility_id=FACILITY,
            resident_id=RESIDENT,
            kind=pb.VISIT_KIND_IN_FACILITY,
        ),
        metadata=token_keys.family(str(uuid4())),
    )
    assert (dialled.direct_dial, dialled.slot_minutes, dialled.price_per_minute_cents) == (
        True,
        15,
        0,
    )


async def test_a_day_not_given_as_a_date_is_refused(
    visitation_stub: Stub, token_keys: TokenKeys
) -> None:
    await refused_over_grpc(
        visitation_stub.ListAvailability(
            pb.ListAvailabilityRequest(facility_id=FACILITY, resident_id=RESIDENT, date="27/11"),
            metadata=token_keys.family(str(uuid4())),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "date_invalid",
        "date",
    )
