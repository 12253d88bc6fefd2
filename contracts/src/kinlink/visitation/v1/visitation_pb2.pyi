import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VisitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISIT_KIND_UNSPECIFIED: _ClassVar[VisitKind]
    VISIT_KIND_REMOTE: _ClassVar[VisitKind]
    VISIT_KIND_IN_FACILITY: _ClassVar[VisitKind]

class VisitStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISIT_STATUS_UNSPECIFIED: _ClassVar[VisitStatus]
    VISIT_STATUS_SCHEDULED: _ClassVar[VisitStatus]
    VISIT_STATUS_IN_PROGRESS: _ClassVar[VisitStatus]
    VISIT_STATUS_INTERRUPTED: _ClassVar[VisitStatus]
    VISIT_STATUS_ENDED: _ClassVar[VisitStatus]
    VISIT_STATUS_CANCELLED: _ClassVar[VisitStatus]
    VISIT_STATUS_MISSED: _ClassVar[VisitStatus]

class CancelledBy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCELLED_BY_UNSPECIFIED: _ClassVar[CancelledBy]
    CANCELLED_BY_VISITOR: _ClassVar[CancelledBy]
    CANCELLED_BY_FACILITY: _ClassVar[CancelledBy]
    CANCELLED_BY_RESIDENT_TRANSFERRED: _ClassVar[CancelledBy]
    CANCELLED_BY_RESIDENT_RELEASED: _ClassVar[CancelledBy]

class EndReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    END_REASON_UNSPECIFIED: _ClassVar[EndReason]
    END_REASON_WINDOW_OVER: _ClassVar[EndReason]
    END_REASON_VISITOR_ENDED: _ClassVar[EndReason]
    END_REASON_OFFICER_ENDED: _ClassVar[EndReason]
    END_REASON_CREDIT_EXHAUSTED: _ClassVar[EndReason]
    END_REASON_RESIDENT_LEFT: _ClassVar[EndReason]

class Side(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIDE_UNSPECIFIED: _ClassVar[Side]
    SIDE_VISITOR: _ClassVar[Side]
    SIDE_STATION: _ClassVar[Side]

class RefundProblem(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_PROBLEM_UNSPECIFIED: _ClassVar[RefundProblem]
    REFUND_PROBLEM_VIDEO_QUALITY: _ClassVar[RefundProblem]
    REFUND_PROBLEM_AUDIO_QUALITY: _ClassVar[RefundProblem]
    REFUND_PROBLEM_DROPPED: _ClassVar[RefundProblem]
    REFUND_PROBLEM_COULD_NOT_CONNECT: _ClassVar[RefundProblem]
    REFUND_PROBLEM_OTHER: _ClassVar[RefundProblem]

class RefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATUS_UNSPECIFIED: _ClassVar[RefundStatus]
    REFUND_STATUS_PENDING: _ClassVar[RefundStatus]
    REFUND_STATUS_APPROVED: _ClassVar[RefundStatus]
    REFUND_STATUS_DENIED: _ClassVar[RefundStatus]
VISIT_KIND_UNSPECIFIED: VisitKind
VISIT_KIND_REMOTE: VisitKind
VISIT_KIND_IN_FACILITY: VisitKind
VISIT_STATUS_UNSPECIFIED: VisitStatus
VISIT_STATUS_SCHEDULED: VisitStatus
VISIT_STATUS_IN_PROGRESS: VisitStatus
VISIT_STATUS_INTERRUPTED: VisitStatus
VISIT_STATUS_ENDED: VisitStatus
VISIT_STATUS_CANCELLED: VisitStatus
VISIT_STATUS_MISSED: VisitStatus
CANCELLED_BY_UNSPECIFIED: CancelledBy
CANCELLED_BY_VISITOR: CancelledBy
CANCELLED_BY_FACILITY: CancelledBy
CANCELLED_BY_RESIDENT_TRANSFERRED: CancelledBy
CANCELLED_BY_RESIDENT_RELEASED: CancelledBy
END_REASON_UNSPECIFIED: EndReason
END_REASON_WINDOW_OVER: EndReason
END_REASON_VISITOR_ENDED: EndReason
END_REASON_OFFICER_ENDED: EndReason
END_REASON_CREDIT_EXHAUSTED: EndReason
END_REASON_RESIDENT_LEFT: EndReason
SIDE_UNSPECIFIED: Side
SIDE_VISITOR: Side
SIDE_STATION: Side
REFUND_PROBLEM_UNSPECIFIED: RefundProblem
REFUND_PROBLEM_VIDEO_QUALITY: RefundProblem
REFUND_PROBLEM_AUDIO_QUALITY: RefundProblem
REFUND_PROBLEM_DROPPED: RefundProblem
REFUND_PROBLEM_COULD_NOT_CONNECT: RefundProblem
REFUND_PROBLEM_OTHER: RefundProblem
REFUND_STATUS_UNSPECIFIED: RefundStatus
REFUND_STATUS_PENDING: RefundStatus
REFUND_STATUS_APPROVED: RefundStatus
REFUND_STATUS_DENIED: RefundStatus

class Visit(_message.Message):
    __slots__ = ("visit_id", "account_id", "facility_id", "resident_id", "kind", "station", "starts_at", "ends_at", "slot_minutes", "direct_dial", "price_per_minute_cents", "facility_time_zone", "status", "cancelled_by", "cancel_note", "cancelled_at", "started_at", "ended_at", "end_reason", "end_note", "visitor_present", "station_present", "connected_seconds", "minutes_charged", "charged_cents", "credited_cents", "interruptions", "scheduled_at")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATION_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    SLOT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    DIRECT_DIAL_FIELD_NUMBER: _ClassVar[int]
    PRICE_PER_MINUTE_CENTS_FIELD_NUMBER: _ClassVar[int]
    FACILITY_TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    CANCEL_NOTE_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    END_NOTE_FIELD_NUMBER: _ClassVar[int]
    VISITOR_PRESENT_FIELD_NUMBER: _ClassVar[int]
    STATION_PRESENT_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MINUTES_CHARGED_FIELD_NUMBER: _ClassVar[int]
    CHARGED_CENTS_FIELD_NUMBER: _ClassVar[int]
    CREDITED_CENTS_FIELD_NUMBER: _ClassVar[int]
    INTERRUPTIONS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_AT_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    account_id: str
    facility_id: str
    resident_id: str
    kind: VisitKind
    station: int
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    slot_minutes: int
    direct_dial: bool
    price_per_minute_cents: int
    facility_time_zone: str
    status: VisitStatus
    cancelled_by: CancelledBy
    cancel_note: str
    cancelled_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    end_reason: EndReason
    end_note: str
    visitor_present: bool
    station_present: bool
    connected_seconds: int
    minutes_charged: int
    charged_cents: int
    credited_cents: int
    interruptions: int
    scheduled_at: _timestamp_pb2.Timestamp
    def __init__(self, visit_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., kind: _Optional[_Union[VisitKind, str]] = ..., station: _Optional[int] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., slot_minutes: _Optional[int] = ..., direct_dial: _Optional[bool] = ..., price_per_minute_cents: _Optional[int] = ..., facility_time_zone: _Optional[str] = ..., status: _Optional[_Union[VisitStatus, str]] = ..., cancelled_by: _Optional[_Union[CancelledBy, str]] = ..., cancel_note: _Optional[str] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_reason: _Optional[_Union[EndReason, str]] = ..., end_note: _Optional[str] = ..., visitor_present: _Optional[bool] = ..., station_present: _Optional[bool] = ..., connected_seconds: _Optional[int] = ..., minutes_charged: _Optional[int] = ..., charged_cents: _Optional[int] = ..., credited_cents: _Optional[int] = ..., interruptions: _Optional[int] = ..., scheduled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAvailabilityRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "date", "slot_minutes", "kind")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    SLOT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    date: str
    slot_minutes: int
    kind: VisitKind
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., date: _Optional[str] = ..., slot_minutes: _Optional[int] = ..., kind: _Optional[_Union[VisitKind, str]] = ...) -> None: ...

class Slot(_message.Message):
    __slots__ = ("starts_at", "ends_at", "stations_free")
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    STATIONS_FREE_FIELD_NUMBER: _ClassVar[int]
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    stations_free: int
    def __init__(self, starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stations_free: _Optional[int] = ...) -> None: ...

class Availability(_message.Message):
    __slots__ = ("facility_id", "date", "facility_time_zone", "slots", "closed_reason", "slot_minutes", "price_per_minute_cents")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    FACILITY_TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_REASON_FIELD_NUMBER: _ClassVar[int]
    SLOT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    PRICE_PER_MINUTE_CENTS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    date: str
    facility_time_zone: str
    slots: _containers.RepeatedCompositeFieldContainer[Slot]
    closed_reason: str
    slot_minutes: int
    price_per_minute_cents: int
    def __init__(self, facility_id: _Optional[str] = ..., date: _Optional[str] = ..., facility_time_zone: _Optional[str] = ..., slots: _Optional[_Iterable[_Union[Slot, _Mapping]]] = ..., closed_reason: _Optional[str] = ..., slot_minutes: _Optional[int] = ..., price_per_minute_cents: _Optional[int] = ...) -> None: ...

class ScheduleVisitRequest(_message.Message):
    __slots__ = ("visit_id", "facility_id", "resident_id", "kind", "starts_at", "slot_minutes")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    SLOT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    facility_id: str
    resident_id: str
    kind: VisitKind
    starts_at: _timestamp_pb2.Timestamp
    slot_minutes: int
    def __init__(self, visit_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., kind: _Optional[_Union[VisitKind, str]] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., slot_minutes: _Optional[int] = ...) -> None: ...

class DirectDialRequest(_message.Message):
    __slots__ = ("visit_id", "facility_id", "resident_id", "kind")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    facility_id: str
    resident_id: str
    kind: VisitKind
    def __init__(self, visit_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., kind: _Optional[_Union[VisitKind, str]] = ...) -> None: ...

class CancelVisitRequest(_message.Message):
    __slots__ = ("visit_id", "note")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    note: str
    def __init__(self, visit_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class GetVisitRequest(_message.Message):
    __slots__ = ("visit_id",)
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    def __init__(self, visit_id: _Optional[str] = ...) -> None: ...

class ListVisitsRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "upcoming_only", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    UPCOMING_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    upcoming_only: bool
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., upcoming_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVisitsResponse(_message.Message):
    __slots__ = ("visits", "next_page_token")
    VISITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    visits: _containers.RepeatedCompositeFieldContainer[Visit]
    next_page_token: str
    def __init__(self, visits: _Optional[_Iterable[_Union[Visit, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListStationDayRequest(_message.Message):
    __slots__ = ("facility_id", "date")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    date: str
    def __init__(self, facility_id: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class StationSchedule(_message.Message):
    __slots__ = ("station", "visits")
    STATION_FIELD_NUMBER: _ClassVar[int]
    VISITS_FIELD_NUMBER: _ClassVar[int]
    station: int
    visits: _containers.RepeatedCompositeFieldContainer[Visit]
    def __init__(self, station: _Optional[int] = ..., visits: _Optional[_Iterable[_Union[Visit, _Mapping]]] = ...) -> None: ...

class StationDay(_message.Message):
    __slots__ = ("facility_id", "date", "facility_time_zone", "stations")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    FACILITY_TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    date: str
    facility_time_zone: str
    stations: _containers.RepeatedCompositeFieldContainer[StationSchedule]
    def __init__(self, facility_id: _Optional[str] = ..., date: _Optional[str] = ..., facility_time_zone: _Optional[str] = ..., stations: _Optional[_Iterable[_Union[StationSchedule, _Mapping]]] = ...) -> None: ...

class GetJoinTicketRequest(_message.Message):
    __slots__ = ("visit_id", "side")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    side: Side
    def __init__(self, visit_id: _Optional[str] = ..., side: _Optional[_Union[Side, str]] = ...) -> None: ...

class JoinTicket(_message.Message):
    __slots__ = ("visit_id", "url", "token", "room", "identity", "valid_from", "valid_until")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    url: str
    token: str
    room: str
    identity: str
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    def __init__(self, visit_id: _Optional[str] = ..., url: _Optional[str] = ..., token: _Optional[str] = ..., room: _Optional[str] = ..., identity: _Optional[str] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EndVisitRequest(_message.Message):
    __slots__ = ("visit_id", "reason")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    reason: str
    def __init__(self, visit_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RefundRequest(_message.Message):
    __slots__ = ("request_id", "visit_id", "account_id", "facility_id", "problem", "description", "status", "requested_at", "due_by", "amount_cents", "reason", "note", "decided_at")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_BY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    visit_id: str
    account_id: str
    facility_id: str
    problem: RefundProblem
    description: str
    status: RefundStatus
    requested_at: _timestamp_pb2.Timestamp
    due_by: _timestamp_pb2.Timestamp
    amount_cents: int
    reason: str
    note: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., visit_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., problem: _Optional[_Union[RefundProblem, str]] = ..., description: _Optional[str] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount_cents: _Optional[int] = ..., reason: _Optional[str] = ..., note: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RequestRefundRequest(_message.Message):
    __slots__ = ("request_id", "visit_id", "problem", "description")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    visit_id: str
    problem: RefundProblem
    description: str
    def __init__(self, request_id: _Optional[str] = ..., visit_id: _Optional[str] = ..., problem: _Optional[_Union[RefundProblem, str]] = ..., description: _Optional[str] = ...) -> None: ...

class ListRefundRequestsRequest(_message.Message):
    __slots__ = ("facility_id", "status", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    status: RefundStatus
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRefundRequestsResponse(_message.Message):
    __slots__ = ("requests", "next_page_token")
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[RefundRequest]
    next_page_token: str
    def __init__(self, requests: _Optional[_Iterable[_Union[RefundRequest, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DecideRefundRequestRequest(_message.Message):
    __slots__ = ("request_id", "approve", "amount_cents", "reason", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    approve: bool
    amount_cents: int
    reason: str
    note: str
    def __init__(self, request_id: _Optional[str] = ..., approve: _Optional[bool] = ..., amount_cents: _Optional[int] = ..., reason: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...
