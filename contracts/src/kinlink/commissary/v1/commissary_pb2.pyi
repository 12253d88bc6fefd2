import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AllowanceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALLOWANCE_STATUS_UNSPECIFIED: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_ACTIVE: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_DECLINED: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_ENDING: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_ENDED: _ClassVar[AllowanceStatus]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_INCOMPLETE: _ClassVar[OrderStatus]
    ORDER_STATUS_READY_TO_PROCESS: _ClassVar[OrderStatus]
    ORDER_STATUS_PROCESSING: _ClassVar[OrderStatus]
    ORDER_STATUS_PAID: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]

class Fulfilment(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FULFILMENT_UNSPECIFIED: _ClassVar[Fulfilment]
    FULFILMENT_NOT_SHIPPED: _ClassVar[Fulfilment]
    FULFILMENT_SHIPPED: _ClassVar[Fulfilment]
    FULFILMENT_DELIVERED: _ClassVar[Fulfilment]

class ResidentLeft(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESIDENT_LEFT_UNSPECIFIED: _ClassVar[ResidentLeft]
    RESIDENT_LEFT_NONE: _ClassVar[ResidentLeft]
    RESIDENT_LEFT_TRANSFERRED: _ClassVar[ResidentLeft]
    RESIDENT_LEFT_RELEASED: _ClassVar[ResidentLeft]
ALLOWANCE_STATUS_UNSPECIFIED: AllowanceStatus
ALLOWANCE_STATUS_ACTIVE: AllowanceStatus
ALLOWANCE_STATUS_DECLINED: AllowanceStatus
ALLOWANCE_STATUS_ENDING: AllowanceStatus
ALLOWANCE_STATUS_ENDED: AllowanceStatus
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_INCOMPLETE: OrderStatus
ORDER_STATUS_READY_TO_PROCESS: OrderStatus
ORDER_STATUS_PROCESSING: OrderStatus
ORDER_STATUS_PAID: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
FULFILMENT_UNSPECIFIED: Fulfilment
FULFILMENT_NOT_SHIPPED: Fulfilment
FULFILMENT_SHIPPED: Fulfilment
FULFILMENT_DELIVERED: Fulfilment
RESIDENT_LEFT_UNSPECIFIED: ResidentLeft
RESIDENT_LEFT_NONE: ResidentLeft
RESIDENT_LEFT_TRANSFERRED: ResidentLeft
RESIDENT_LEFT_RELEASED: ResidentLeft

class CreateAllowanceRequest(_message.Message):
    __slots__ = ("allowance_id", "facility_id", "resident_id", "amount_cents", "payment_method")
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    facility_id: str
    resident_id: str
    amount_cents: int
    payment_method: str
    def __init__(self, allowance_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., payment_method: _Optional[str] = ...) -> None: ...

class AllowanceUse(_message.Message):
    __slots__ = ("order_reference", "amount_cents", "purchased_at")
    ORDER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    PURCHASED_AT_FIELD_NUMBER: _ClassVar[int]
    order_reference: str
    amount_cents: int
    purchased_at: _timestamp_pb2.Timestamp
    def __init__(self, order_reference: _Optional[str] = ..., amount_cents: _Optional[int] = ..., purchased_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Allowance(_message.Message):
    __slots__ = ("allowance_id", "account_id", "facility_id", "resident_id", "amount_cents", "used_cents", "left_cents", "status", "decline_reason", "created_at", "period_ends_at", "uses", "captured_cents", "released_cents", "receipt_number", "ended_at")
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    USED_CENTS_FIELD_NUMBER: _ClassVar[int]
    LEFT_CENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    USES_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_CENTS_FIELD_NUMBER: _ClassVar[int]
    RELEASED_CENTS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    account_id: str
    facility_id: str
    resident_id: str
    amount_cents: int
    used_cents: int
    left_cents: int
    status: AllowanceStatus
    decline_reason: str
    created_at: _timestamp_pb2.Timestamp
    period_ends_at: _timestamp_pb2.Timestamp
    uses: _containers.RepeatedCompositeFieldContainer[AllowanceUse]
    captured_cents: int
    released_cents: int
    receipt_number: str
    ended_at: _timestamp_pb2.Timestamp
    def __init__(self, allowance_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., used_cents: _Optional[int] = ..., left_cents: _Optional[int] = ..., status: _Optional[_Union[AllowanceStatus, str]] = ..., decline_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., uses: _Optional[_Iterable[_Union[AllowanceUse, _Mapping]]] = ..., captured_cents: _Optional[int] = ..., released_cents: _Optional[int] = ..., receipt_number: _Optional[str] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetAllowanceRequest(_message.Message):
    __slots__ = ("allowance_id",)
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    def __init__(self, allowance_id: _Optional[str] = ...) -> None: ...

class ListAllowancesRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAllowancesResponse(_message.Message):
    __slots__ = ("allowances", "next_page_token")
    ALLOWANCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    allowances: _containers.RepeatedCompositeFieldContainer[Allowance]
    next_page_token: str
    def __init__(self, allowances: _Optional[_Iterable[_Union[Allowance, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class EndAllowanceRequest(_message.Message):
    __slots__ = ("allowance_id",)
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    def __init__(self, allowance_id: _Optional[str] = ...) -> None: ...

class ImportCatalogRequest(_message.Message):
    __slots__ = ("facility_id", "vendor", "csv", "order_limit_cents", "max_items_per_order")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    ORDER_LIMIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_PER_ORDER_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    vendor: str
    csv: bytes
    order_limit_cents: int
    max_items_per_order: int
    def __init__(self, facility_id: _Optional[str] = ..., vendor: _Optional[str] = ..., csv: _Optional[bytes] = ..., order_limit_cents: _Optional[int] = ..., max_items_per_order: _Optional[int] = ...) -> None: ...

class GetCatalogRequest(_message.Message):
    __slots__ = ("facility_id",)
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    def __init__(self, facility_id: _Optional[str] = ...) -> None: ...

class CatalogItem(_message.Message):
    __slots__ = ("sku", "name", "description", "category", "price_cents", "max_per_order", "available")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_PER_ORDER_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    description: str
    category: str
    price_cents: int
    max_per_order: int
    available: bool
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., category: _Optional[str] = ..., price_cents: _Optional[int] = ..., max_per_order: _Optional[int] = ..., available: _Optional[bool] = ...) -> None: ...

class Catalog(_message.Message):
    __slots__ = ("facility_id", "vendor", "revision", "order_limit_cents", "max_items_per_order", "items", "imported_at")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    ORDER_LIMIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_PER_ORDER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    IMPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    vendor: str
    revision: int
    order_limit_cents: int
    max_items_per_order: int
    items: _containers.RepeatedCompositeFieldContainer[CatalogItem]
    imported_at: _timestamp_pb2.Timestamp
    def __init__(self, facility_id: _Optional[str] = ..., vendor: _Optional[str] = ..., revision: _Optional[int] = ..., order_limit_cents: _Optional[int] = ..., max_items_per_order: _Optional[int] = ..., items: _Optional[_Iterable[_Union[CatalogItem, _Mapping]]] = ..., imported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class PlaceOrderRequest(_message.Message):
    __slots__ = ("order_id", "facility_id", "resident_id", "lines", "payment_method")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    facility_id: str
    resident_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    payment_method: str
    def __init__(self, order_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., payment_method: _Optional[str] = ...) -> None: ...

class ChangeOrderRequest(_message.Message):
    __slots__ = ("order_id", "lines", "payment_method")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    payment_method: str
    def __init__(self, order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., payment_method: _Optional[str] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class OrderItem(_message.Message):
    __slots__ = ("sku", "name", "quantity", "unit_price_cents", "total_cents")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_cents: _Optional[int] = ..., total_cents: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "account_id", "facility_id", "resident_id", "vendor", "items", "total_cents", "payment_method", "status", "incomplete_reason", "cancelled_reason", "placed_at", "paid_at", "receipt_number", "fulfilment", "tracking_number", "carrier", "shipped_at", "delivered_at", "overdue", "flagged_at", "resident_left", "resident_left_at", "facility_decision", "facility_decision_note", "decided_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_REASON_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_AT_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_LEFT_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_LEFT_AT_FIELD_NUMBER: _ClassVar[int]
    FACILITY_DECISION_FIELD_NUMBER: _ClassVar[int]
    FACILITY_DECISION_NOTE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    facility_id: str
    resident_id: str
    vendor: str
    items: _containers.RepeatedCompositeFieldContainer[OrderItem]
    total_cents: int
    payment_method: str
    status: OrderStatus
    incomplete_reason: str
    cancelled_reason: str
    placed_at: _timestamp_pb2.Timestamp
    paid_at: _timestamp_pb2.Timestamp
    receipt_number: str
    fulfilment: Fulfilment
    tracking_number: str
    carrier: str
    shipped_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    overdue: bool
    flagged_at: _timestamp_pb2.Timestamp
    resident_left: ResidentLeft
    resident_left_at: _timestamp_pb2.Timestamp
    facility_decision: str
    facility_decision_note: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., vendor: _Optional[str] = ..., items: _Optional[_Iterable[_Union[OrderItem, _Mapping]]] = ..., total_cents: _Optional[int] = ..., payment_method: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., incomplete_reason: _Optional[str] = ..., cancelled_reason: _Optional[str] = ..., placed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receipt_number: _Optional[str] = ..., fulfilment: _Optional[_Union[Fulfilment, str]] = ..., tracking_number: _Optional[str] = ..., carrier: _Optional[str] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ..., flagged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resident_left: _Optional[_Union[ResidentLeft, str]] = ..., resident_left_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., facility_decision: _Optional[str] = ..., facility_decision_note: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RunPostingRequest(_message.Message):
    __slots__ = ("facility_id",)
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    def __init__(self, facility_id: _Optional[str] = ...) -> None: ...

class GetPostingRunRequest(_message.Message):
    __slots__ = ("facility_id", "run_date")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_DATE_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    run_date: str
    def __init__(self, facility_id: _Optional[str] = ..., run_date: _Optional[str] = ...) -> None: ...

class PostingRun(_message.Message):
    __slots__ = ("facility_id", "run_date", "started_at", "finished_at", "orders_total", "paid", "incomplete", "still_processing")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_DATE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    ORDERS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    STILL_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    run_date: str
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    orders_total: int
    paid: int
    incomplete: int
    still_processing: int
    def __init__(self, facility_id: _Optional[str] = ..., run_date: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., orders_total: _Optional[int] = ..., paid: _Optional[int] = ..., incomplete: _Optional[int] = ..., still_processing: _Optional[int] = ...) -> None: ...

class RecordPackDecisionRequest(_message.Message):
    __slots__ = ("order_id", "decision", "note")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    decision: str
    note: str
    def __init__(self, order_id: _Optional[str] = ..., decision: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ListFlaggedOrdersRequest(_message.Message):
    __slots__ = ("facility_id", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...
