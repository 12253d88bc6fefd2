import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DepositStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPOSIT_STATUS_UNSPECIFIED: _ClassVar[DepositStatus]
    DEPOSIT_STATUS_PENDING: _ClassVar[DepositStatus]
    DEPOSIT_STATUS_CAPTURED: _ClassVar[DepositStatus]
    DEPOSIT_STATUS_DECLINED: _ClassVar[DepositStatus]
    DEPOSIT_STATUS_POSTED: _ClassVar[DepositStatus]
DEPOSIT_STATUS_UNSPECIFIED: DepositStatus
DEPOSIT_STATUS_PENDING: DepositStatus
DEPOSIT_STATUS_CAPTURED: DepositStatus
DEPOSIT_STATUS_DECLINED: DepositStatus
DEPOSIT_STATUS_POSTED: DepositStatus

class QuoteDepositRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "amount_cents")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    amount_cents: int
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., amount_cents: _Optional[int] = ...) -> None: ...

class DepositQuote(_message.Message):
    __slots__ = ("quote_id", "facility_id", "resident_id", "depositor_id", "amount_cents", "fee_cents", "total_cents", "weekly_remaining_cents", "weekly_limit_cents", "expires_at")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPOSITOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    FEE_CENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_REMAINING_CENTS_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_LIMIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    facility_id: str
    resident_id: str
    depositor_id: str
    amount_cents: int
    fee_cents: int
    total_cents: int
    weekly_remaining_cents: int
    weekly_limit_cents: int
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, quote_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., depositor_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., fee_cents: _Optional[int] = ..., total_cents: _Optional[int] = ..., weekly_remaining_cents: _Optional[int] = ..., weekly_limit_cents: _Optional[int] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ConfirmDepositRequest(_message.Message):
    __slots__ = ("quote_id", "payment_method", "idempotency_key")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    payment_method: str
    idempotency_key: str
    def __init__(self, quote_id: _Optional[str] = ..., payment_method: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("receipt_number", "payment_reference", "captured_at")
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_AT_FIELD_NUMBER: _ClassVar[int]
    receipt_number: str
    payment_reference: str
    captured_at: _timestamp_pb2.Timestamp
    def __init__(self, receipt_number: _Optional[str] = ..., payment_reference: _Optional[str] = ..., captured_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Deposit(_message.Message):
    __slots__ = ("deposit_id", "quote_id", "facility_id", "resident_id", "depositor_id", "amount_cents", "fee_cents", "total_cents", "status", "decline_reason", "receipt", "requested_at", "week_start")
    DEPOSIT_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPOSITOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    FEE_CENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASON_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    WEEK_START_FIELD_NUMBER: _ClassVar[int]
    deposit_id: str
    quote_id: str
    facility_id: str
    resident_id: str
    depositor_id: str
    amount_cents: int
    fee_cents: int
    total_cents: int
    status: DepositStatus
    decline_reason: str
    receipt: Receipt
    requested_at: _timestamp_pb2.Timestamp
    week_start: str
    def __init__(self, deposit_id: _Optional[str] = ..., quote_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., depositor_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., fee_cents: _Optional[int] = ..., total_cents: _Optional[int] = ..., status: _Optional[_Union[DepositStatus, str]] = ..., decline_reason: _Optional[str] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., week_start: _Optional[str] = ...) -> None: ...

class GetDepositRequest(_message.Message):
    __slots__ = ("deposit_id",)
    DEPOSIT_ID_FIELD_NUMBER: _ClassVar[int]
    deposit_id: str
    def __init__(self, deposit_id: _Optional[str] = ...) -> None: ...

class ListDepositsRequest(_message.Message):
    __slots__ = ("depositor_id", "resident_id", "facility_id")
    DEPOSITOR_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    depositor_id: str
    resident_id: str
    facility_id: str
    def __init__(self, depositor_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., facility_id: _Optional[str] = ...) -> None: ...

class ListDepositsResponse(_message.Message):
    __slots__ = ("deposits",)
    DEPOSITS_FIELD_NUMBER: _ClassVar[int]
    deposits: _containers.RepeatedCompositeFieldContainer[Deposit]
    def __init__(self, deposits: _Optional[_Iterable[_Union[Deposit, _Mapping]]] = ...) -> None: ...
