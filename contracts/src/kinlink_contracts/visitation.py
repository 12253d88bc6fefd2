"""Integration events visitation publishes on `kinlink.visitation.events.v1`, keyed by resident
id: video visits scheduled, cancelled, started, interrupted, resumed, ended or missed, each
connected minute charged, what was credited back, and refund requests and their decisions.

A visit is remote (from home, charged per connected minute from the family's wallet) or in
facility (the visitor at the facility's lobby: free). Every event names the visit, its facility
and its resident; none carries a name, an email or a card."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime
from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class VisitKind(StrEnum):
    REMOTE = "remote"  # from home, charged per connected minute
    IN_FACILITY = "in_facility"  # at the facility's lobby: "In Facility calls do not cost"


class CancelledBy(StrEnum):
    VISITOR = "visitor"
    FACILITY = "facility"
    RESIDENT_TRANSFERRED = "resident_transferred"
    RESIDENT_RELEASED = "resident_released"


class EndReason(StrEnum):
    WINDOW_OVER = "window_over"
    VISITOR_ENDED = "visitor_ended"
    OFFICER_ENDED = "officer_ended"
    CREDIT_EXHAUSTED = "credit_exhausted"
    RESIDENT_LEFT = "resident_left"


class Side(StrEnum):
    """Who is in a visit's room: the visitor, or the resident at the facility's station."""

    VISITOR = "visitor"
    STATION = "station"


class InterruptedSide(StrEnum):
    VISITOR = "visitor"
    STATION = "station"
    PROVIDER = "provider"  # the video provider closed the room


class CreditReason(StrEnum):
    CUT_SHORT = "cut_short"  # the minute in progress when we cut the visit short
    CANCELLED = "cancelled"  # every minute of a visit cancelled (the resident left)
    REFUND_APPROVED = "refund_approved"  # an operator approved a refund request


class RefundProblem(StrEnum):
    VIDEO_QUALITY = "video_quality"
    AUDIO_QUALITY = "audio_quality"
    DROPPED = "dropped"
    COULD_NOT_CONNECT = "could_not_connect"
    OTHER = "other"


class _VisitEvent(IntegrationEvent):
    visit_id: UUID = Field(description="The visit's id (the client's key when it was booked).")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"], description="The partition key.")


class CallScheduled(_VisitEvent):
    """A visit was booked (or dialled directly): the station, resident and visitor are taken
    for its window."""

    account_id: UUID = Field(description="The visitor.")
    kind: VisitKind
    station: int = Field(ge=1, description="The facility's video station, 1..video_stations.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    price_per_minute_cents: int = Field(
        ge=0, description="Frozen when booked; 0 for an in-facility visit."
    )
    direct_dial: bool = False


class CallCancelled(_VisitEvent):
    """The visit will not take place; anything charged for it is credited in full."""

    cancelled_by: CancelledBy
    note: str = ""


class CallStarted(_VisitEvent):
    """Both the visitor and the resident's station joined for the first time."""

    started_at: AwareDatetime


class CallInterrupted(_VisitEvent):
    """One side left while the visit was in progress."""

    side: InterruptedSide
    ours: bool = Field(description="Dropped on our side (the station or the provider).")
    at: AwareDatetime


class CallResumed(_VisitEvent):
    """Both sides are present again after an interruption."""

    at: AwareDatetime


class CallEnded(_VisitEvent):
    reason: EndReason
    ended_at: AwareDatetime
    connected_seconds: int = Field(ge=0)
    minutes_charged: int = Field(ge=0)
    charged_cents: int = Field(ge=0)
    credited_cents: int = Field(ge=0)


class CallMissed(_VisitEvent):
    """The visit's window is over and it never connected: nothing was charged."""


class CallMinuteCharged(_VisitEvent):
    """Minute `minute` of the connected time was charged to the visitor's wallet, once."""

    minute: int = Field(ge=1)
    amount_cents: int = Field(ge=0)
    charge_reference: str = Field(examples=["visit:4f9d...:minute:3"])


class CallCredited(_VisitEvent):
    amount_cents: int = Field(gt=0)
    why: CreditReason
    reference: str = Field(description="The ledger's reference of the credit or refund.")


class RefundRequested(_VisitEvent):
    """The visitor asked for a refund of a visit; an operator decides within 72 hours."""

    request_id: UUID
    account_id: UUID
    problem: RefundProblem
    due_by: AwareDatetime


class RefundRequestDecided(_VisitEvent):
    """Approved (issued as a credit to the visitor's account) or denied with a reason."""

    request_id: UUID
    approved: bool
    amount_cents: int = Field(ge=0)
    reason: str = ""
