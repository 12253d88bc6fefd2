"""What every part of the visitation API shares: the service's name, method names, the request
fields refusals are about, and the domain-to-message mapping of a visit."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import timestamp

from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitStatus

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["VisitationService"].full_name

# The request field a refusal is about, by its code, as every request naming it calls it.
REQUEST_FIELDS = {
    **dict.fromkeys(
        ("facility_id_missing", "facility_not_found", "facility_out_of_scope"), "facility_id"
    ),
    **dict.fromkeys(
        ("resident_id_missing", "resident_not_found", "resident_released"), "resident_id"
    ),
    **dict.fromkeys(("visit_not_found", "visit_id_reused"), "visit_id"),
    "page_size_invalid": "page_size",
    "page_token_invalid": "page_token",
}

KINDS = proto_enum(VisitKind, pb.VisitKind)
STATUSES = proto_enum(VisitStatus, pb.VisitStatus)
CANCELLED_BY = proto_enum(CancelledBy, pb.CancelledBy)
END_REASONS = proto_enum(EndReason, pb.EndReason)
SIDES = proto_enum(Side, pb.Side)


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)


def caller_account() -> UUID:
    """The signed-in family member's account."""
    return parse_id(current_principal().account_id, "account_id")


def visit_message(visit: Visit, now: datetime) -> pb.Visit:
    """The visit as clients see it at `now` (its connected time counts the open stretch)."""
    return pb.Visit(
        visit_id=str(visit.visit_id),
        account_id=str(visit.account_id),
        facility_id=visit.facility_id,
        resident_id=visit.resident_id,
        kind=KINDS[visit.kind],
        station=visit.station,
        starts_at=timestamp(visit.starts_at),
        ends_at=timestamp(visit.ends_at),
        slot_minutes=visit.slot_minutes,
        direct_dial=visit.direct_dial,
        price_per_minute_cents=visit.price_per_minute_cents,
        facility_time_zone=visit.facility_time_zone,
        status=STATUSES[visit.status],
        cancel_note=visit.cancel_note,
        end_note=visit.end_note,
        visitor_present=visit.presence[Side.VISITOR],
        station_present=visit.presence[Side.STATION],
        connected_seconds=int(visit.connected_seconds_at(now)),
        minutes_charged=visit.minutes_charged,
        charged_cents=visit.charged_cents,
        credited_cents=visit.credited_cents,
        interruptions=visit.interruptions,
        scheduled_at=timestamp(visit.scheduled_at),
        cancelled_by=CANCELLED_BY[visit.cancelled_by] if visit.cancelled_by else None,
        cancelled_at=at(visit.cancelled_at),
        started_at=at(visit.started_at),
        ended_at=at(visit.ended_at),
        end_reason=END_REASONS[visit.end_reason] if visit.end_reason else None,
    )


def at(instant: datetime | None) -> Timestamp | None:
    return timestamp(instant) if instant is not None else None
