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

class TransactionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_KIND_UNSPECIFIED: _ClassVar[TransactionKind]
    TRANSACTION_KIND_DEPOSIT: _ClassVar[TransactionKind]
    TRANSACTION_KIND_COMMISSARY_ORDER: _ClassVar[TransactionKind]
    TRANSACTION_KIND_COMMISSARY_PACK: _ClassVar[TransactionKind]

class FundingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FUNDING_STATUS_UNSPECIFIED: _ClassVar[FundingStatus]
    FUNDING_STATUS_FUNDED: _ClassVar[FundingStatus]
    FUNDING_STATUS_REQUIRES_AUTHENTICATION: _ClassVar[FundingStatus]
    FUNDING_STATUS_FAILED: _ClassVar[FundingStatus]

class WalletEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WALLET_ENTRY_KIND_UNSPECIFIED: _ClassVar[WalletEntryKind]
    WALLET_ENTRY_KIND_FUNDING: _ClassVar[WalletEntryKind]
    WALLET_ENTRY_KIND_FUNDING_FAILED: _ClassVar[WalletEntryKind]
    WALLET_ENTRY_KIND_CHARGE: _ClassVar[WalletEntryKind]
    WALLET_ENTRY_KIND_CREDIT: _ClassVar[WalletEntryKind]
    WALLET_ENTRY_KIND_REFUND: _ClassVar[WalletEntryKind]

class AllowanceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALLOWANCE_STATUS_UNSPECIFIED: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_AUTHORIZED: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_DECLINED: _ClassVar[AllowanceStatus]
    ALLOWANCE_STATUS_ENDED: _ClassVar[AllowanceStatus]

class ReceiptKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECEIPT_KIND_UNSPECIFIED: _ClassVar[ReceiptKind]
    RECEIPT_KIND_DEPOSIT: _ClassVar[ReceiptKind]
    RECEIPT_KIND_WALLET_FUNDING: _ClassVar[ReceiptKind]
    RECEIPT_KIND_ALLOWANCE_CAPTURE: _ClassVar[ReceiptKind]
    RECEIPT_KIND_COMMISSARY_ORDER: _ClassVar[ReceiptKind]

class OrderChargeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_CHARGE_STATUS_UNSPECIFIED: _ClassVar[OrderChargeStatus]
    ORDER_CHARGE_STATUS_PENDING: _ClassVar[OrderChargeStatus]
    ORDER_CHARGE_STATUS_CAPTURED: _ClassVar[OrderChargeStatus]
    ORDER_CHARGE_STATUS_DECLINED: _ClassVar[OrderChargeStatus]
DEPOSIT_STATUS_UNSPECIFIED: DepositStatus
DEPOSIT_STATUS_PENDING: DepositStatus
DEPOSIT_STATUS_CAPTURED: DepositStatus
DEPOSIT_STATUS_DECLINED: DepositStatus
DEPOSIT_STATUS_POSTED: DepositStatus
TRANSACTION_KIND_UNSPECIFIED: TransactionKind
TRANSACTION_KIND_DEPOSIT: TransactionKind
TRANSACTION_KIND_COMMISSARY_ORDER: TransactionKind
TRANSACTION_KIND_COMMISSARY_PACK: TransactionKind
FUNDING_STATUS_UNSPECIFIED: FundingStatus
FUNDING_STATUS_FUNDED: FundingStatus
FUNDING_STATUS_REQUIRES_AUTHENTICATION: FundingStatus
FUNDING_STATUS_FAILED: FundingStatus
WALLET_ENTRY_KIND_UNSPECIFIED: WalletEntryKind
WALLET_ENTRY_KIND_FUNDING: WalletEntryKind
WALLET_ENTRY_KIND_FUNDING_FAILED: WalletEntryKind
WALLET_ENTRY_KIND_CHARGE: WalletEntryKind
WALLET_ENTRY_KIND_CREDIT: WalletEntryKind
WALLET_ENTRY_KIND_REFUND: WalletEntryKind
ALLOWANCE_STATUS_UNSPECIFIED: AllowanceStatus
ALLOWANCE_STATUS_AUTHORIZED: AllowanceStatus
ALLOWANCE_STATUS_DECLINED: AllowanceStatus
ALLOWANCE_STATUS_ENDED: AllowanceStatus
RECEIPT_KIND_UNSPECIFIED: ReceiptKind
RECEIPT_KIND_DEPOSIT: ReceiptKind
RECEIPT_KIND_WALLET_FUNDING: ReceiptKind
RECEIPT_KIND_ALLOWANCE_CAPTURE: ReceiptKind
RECEIPT_KIND_COMMISSARY_ORDER: ReceiptKind
ORDER_CHARGE_STATUS_UNSPECIFIED: OrderChargeStatus
ORDER_CHARGE_STATUS_PENDING: OrderChargeStatus
ORDER_CHARGE_STATUS_CAPTURED: OrderChargeStatus
ORDER_CHARGE_STATUS_DECLINED: OrderChargeStatus

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

class ListResidentTransactionsRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class ResidentTransaction(_message.Message):
    __slots__ = ("kind", "transaction_id", "facility_id", "resident_id", "account_id", "amount_cents", "fee_cents", "status", "receipt_number", "occurred_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    FEE_CENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    kind: TransactionKind
    transaction_id: str
    facility_id: str
    resident_id: str
    account_id: str
    amount_cents: int
    fee_cents: int
    status: str
    receipt_number: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[TransactionKind, str]] = ..., transaction_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., fee_cents: _Optional[int] = ..., status: _Optional[str] = ..., receipt_number: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListResidentTransactionsResponse(_message.Message):
    __slots__ = ("transactions",)
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[ResidentTransaction]
    def __init__(self, transactions: _Optional[_Iterable[_Union[ResidentTransaction, _Mapping]]] = ...) -> None: ...

class SetUpSubscriptionRequest(_message.Message):
    __slots__ = ("facility_id", "funding_amount_cents")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    FUNDING_AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    funding_amount_cents: int
    def __init__(self, facility_id: _Optional[str] = ..., funding_amount_cents: _Optional[int] = ...) -> None: ...

class RefillSubscriptionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CompleteFundingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DisableSubscriptionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetWalletRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class Wallet(_message.Message):
    __slots__ = ("account_id", "subscription_active", "facility_id", "funding_amount_cents", "balance_cents", "credit_cents", "funded_cents", "funding_in_progress")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    FUNDING_AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    BALANCE_CENTS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    FUNDED_CENTS_FIELD_NUMBER: _ClassVar[int]
    FUNDING_IN_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    subscription_active: bool
    facility_id: str
    funding_amount_cents: int
    balance_cents: int
    credit_cents: int
    funded_cents: int
    funding_in_progress: bool
    def __init__(self, account_id: _Optional[str] = ..., subscription_active: _Optional[bool] = ..., facility_id: _Optional[str] = ..., funding_amount_cents: _Optional[int] = ..., balance_cents: _Optional[int] = ..., credit_cents: _Optional[int] = ..., funded_cents: _Optional[int] = ..., funding_in_progress: _Optional[bool] = ...) -> None: ...

class FundingResult(_message.Message):
    __slots__ = ("funding_id", "status", "failure_reason", "authentication", "wallet")
    FUNDING_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_FIELD_NUMBER: _ClassVar[int]
    WALLET_FIELD_NUMBER: _ClassVar[int]
    funding_id: str
    status: FundingStatus
    failure_reason: str
    authentication: str
    wallet: Wallet
    def __init__(self, funding_id: _Optional[str] = ..., status: _Optional[_Union[FundingStatus, str]] = ..., failure_reason: _Optional[str] = ..., authentication: _Optional[str] = ..., wallet: _Optional[_Union[Wallet, _Mapping]] = ...) -> None: ...

class ChargeItem(_message.Message):
    __slots__ = ("kind", "quantity")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    kind: str
    quantity: int
    def __init__(self, kind: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class ChargeRequest(_message.Message):
    __slots__ = ("account_id", "facility_id", "kind", "quantity", "reference", "items")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    facility_id: str
    kind: str
    quantity: int
    reference: str
    items: _containers.RepeatedCompositeFieldContainer[ChargeItem]
    def __init__(self, account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., kind: _Optional[str] = ..., quantity: _Optional[int] = ..., reference: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ChargeItem, _Mapping]]] = ...) -> None: ...

class GetChargeRequest(_message.Message):
    __slots__ = ("account_id", "reference")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    reference: str
    def __init__(self, account_id: _Optional[str] = ..., reference: _Optional[str] = ...) -> None: ...

class RefundChargeRequest(_message.Message):
    __slots__ = ("account_id", "reference", "reason")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    reference: str
    reason: str
    def __init__(self, account_id: _Optional[str] = ..., reference: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ChargedItem(_message.Message):
    __slots__ = ("kind", "quantity", "unit_price_cents", "amount_cents")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    quantity: int
    unit_price_cents: int
    amount_cents: int
    def __init__(self, kind: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_cents: _Optional[int] = ..., amount_cents: _Optional[int] = ...) -> None: ...

class WalletCharge(_message.Message):
    __slots__ = ("charge_id", "account_id", "facility_id", "kind", "quantity", "unit_price_cents", "amount_cents", "from_credit_cents", "from_funded_cents", "balance_after_cents", "reference", "charged_at", "items", "refunded_at", "refund_reason")
    CHARGE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    FROM_CREDIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    FROM_FUNDED_CENTS_FIELD_NUMBER: _ClassVar[int]
    BALANCE_AFTER_CENTS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CHARGED_AT_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AT_FIELD_NUMBER: _ClassVar[int]
    REFUND_REASON_FIELD_NUMBER: _ClassVar[int]
    charge_id: str
    account_id: str
    facility_id: str
    kind: str
    quantity: int
    unit_price_cents: int
    amount_cents: int
    from_credit_cents: int
    from_funded_cents: int
    balance_after_cents: int
    reference: str
    charged_at: _timestamp_pb2.Timestamp
    items: _containers.RepeatedCompositeFieldContainer[ChargedItem]
    refunded_at: _timestamp_pb2.Timestamp
    refund_reason: str
    def __init__(self, charge_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., kind: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_cents: _Optional[int] = ..., amount_cents: _Optional[int] = ..., from_credit_cents: _Optional[int] = ..., from_funded_cents: _Optional[int] = ..., balance_after_cents: _Optional[int] = ..., reference: _Optional[str] = ..., charged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., items: _Optional[_Iterable[_Union[ChargedItem, _Mapping]]] = ..., refunded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_reason: _Optional[str] = ...) -> None: ...

class GrantCreditRequest(_message.Message):
    __slots__ = ("account_id", "facility_id", "kind", "amount_cents", "reason", "reference")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    facility_id: str
    kind: str
    amount_cents: int
    reason: str
    reference: str
    def __init__(self, account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., kind: _Optional[str] = ..., amount_cents: _Optional[int] = ..., reason: _Optional[str] = ..., reference: _Optional[str] = ...) -> None: ...

class ListWalletHistoryRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class WalletHistoryEntry(_message.Message):
    __slots__ = ("kind", "entry_id", "amount_cents", "description", "facility_id", "receipt_number", "occurred_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    kind: WalletEntryKind
    entry_id: str
    amount_cents: int
    description: str
    facility_id: str
    receipt_number: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[WalletEntryKind, str]] = ..., entry_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., description: _Optional[str] = ..., facility_id: _Optional[str] = ..., receipt_number: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListWalletHistoryResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[WalletHistoryEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[WalletHistoryEntry, _Mapping]]] = ...) -> None: ...

class AuthorizeAllowanceRequest(_message.Message):
    __slots__ = ("allowance_id", "account_id", "facility_id", "resident_id", "amount_cents", "payment_method")
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    account_id: str
    facility_id: str
    resident_id: str
    amount_cents: int
    payment_method: str
    def __init__(self, allowance_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., payment_method: _Optional[str] = ...) -> None: ...

class Allowance(_message.Message):
    __slots__ = ("allowance_id", "account_id", "facility_id", "resident_id", "authorized_cents", "captured_cents", "released_cents", "status", "decline_reason", "hold_expires_at", "receipt_number")
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHORIZED_CENTS_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_CENTS_FIELD_NUMBER: _ClassVar[int]
    RELEASED_CENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASON_FIELD_NUMBER: _ClassVar[int]
    HOLD_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    account_id: str
    facility_id: str
    resident_id: str
    authorized_cents: int
    captured_cents: int
    released_cents: int
    status: AllowanceStatus
    decline_reason: str
    hold_expires_at: _timestamp_pb2.Timestamp
    receipt_number: str
    def __init__(self, allowance_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., authorized_cents: _Optional[int] = ..., captured_cents: _Optional[int] = ..., released_cents: _Optional[int] = ..., status: _Optional[_Union[AllowanceStatus, str]] = ..., decline_reason: _Optional[str] = ..., hold_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receipt_number: _Optional[str] = ...) -> None: ...

class GetAllowanceRequest(_message.Message):
    __slots__ = ("allowance_id",)
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    def __init__(self, allowance_id: _Optional[str] = ...) -> None: ...

class EndAllowanceRequest(_message.Message):
    __slots__ = ("allowance_id",)
    ALLOWANCE_ID_FIELD_NUMBER: _ClassVar[int]
    allowance_id: str
    def __init__(self, allowance_id: _Optional[str] = ...) -> None: ...

class GetReceiptRequest(_message.Message):
    __slots__ = ("receipt_number",)
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    receipt_number: str
    def __init__(self, receipt_number: _Optional[str] = ...) -> None: ...

class ReceiptLine(_message.Message):
    __slots__ = ("description", "amount_cents")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    description: str
    amount_cents: int
    def __init__(self, description: _Optional[str] = ..., amount_cents: _Optional[int] = ...) -> None: ...

class PaymentReceipt(_message.Message):
    __slots__ = ("receipt_number", "kind", "account_id", "facility_id", "facility_name", "resident_id", "lines", "total_cents", "payment_reference", "captured_at", "hold")
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_NAME_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_AT_FIELD_NUMBER: _ClassVar[int]
    HOLD_FIELD_NUMBER: _ClassVar[int]
    receipt_number: str
    kind: ReceiptKind
    account_id: str
    facility_id: str
    facility_name: str
    resident_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReceiptLine]
    total_cents: int
    payment_reference: str
    captured_at: _timestamp_pb2.Timestamp
    hold: ReceiptHold
    def __init__(self, receipt_number: _Optional[str] = ..., kind: _Optional[_Union[ReceiptKind, str]] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., facility_name: _Optional[str] = ..., resident_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReceiptLine, _Mapping]]] = ..., total_cents: _Optional[int] = ..., payment_reference: _Optional[str] = ..., captured_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hold: _Optional[_Union[ReceiptHold, _Mapping]] = ...) -> None: ...

class ReceiptHold(_message.Message):
    __slots__ = ("authorized_cents", "released_cents")
    AUTHORIZED_CENTS_FIELD_NUMBER: _ClassVar[int]
    RELEASED_CENTS_FIELD_NUMBER: _ClassVar[int]
    authorized_cents: int
    released_cents: int
    def __init__(self, authorized_cents: _Optional[int] = ..., released_cents: _Optional[int] = ...) -> None: ...

class ReceiptDocument(_message.Message):
    __slots__ = ("content_type", "content")
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    content: bytes
    def __init__(self, content_type: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class GetTrialBalanceRequest(_message.Message):
    __slots__ = ("account_prefix",)
    ACCOUNT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    account_prefix: str
    def __init__(self, account_prefix: _Optional[str] = ...) -> None: ...

class AccountBalance(_message.Message):
    __slots__ = ("account", "debit_cents", "credit_cents", "balance_cents")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    DEBIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    BALANCE_CENTS_FIELD_NUMBER: _ClassVar[int]
    account: str
    debit_cents: int
    credit_cents: int
    balance_cents: int
    def __init__(self, account: _Optional[str] = ..., debit_cents: _Optional[int] = ..., credit_cents: _Optional[int] = ..., balance_cents: _Optional[int] = ...) -> None: ...

class TrialBalance(_message.Message):
    __slots__ = ("accounts", "total_debit_cents", "total_credit_cents", "balanced")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DEBIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CREDIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    BALANCED_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[AccountBalance]
    total_debit_cents: int
    total_credit_cents: int
    balanced: bool
    def __init__(self, accounts: _Optional[_Iterable[_Union[AccountBalance, _Mapping]]] = ..., total_debit_cents: _Optional[int] = ..., total_credit_cents: _Optional[int] = ..., balanced: _Optional[bool] = ...) -> None: ...

class ChargeOrderRequest(_message.Message):
    __slots__ = ("order_id", "attempt", "account_id", "facility_id", "resident_id", "amount_cents", "payment_method")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    attempt: int
    account_id: str
    facility_id: str
    resident_id: str
    amount_cents: int
    payment_method: str
    def __init__(self, order_id: _Optional[str] = ..., attempt: _Optional[int] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., payment_method: _Optional[str] = ...) -> None: ...

class GetOrderChargeRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class OrderCharge(_message.Message):
    __slots__ = ("order_id", "attempt", "account_id", "facility_id", "resident_id", "amount_cents", "status", "decline_reason", "receipt_number", "charged_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASON_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CHARGED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    attempt: int
    account_id: str
    facility_id: str
    resident_id: str
    amount_cents: int
    status: OrderChargeStatus
    decline_reason: str
    receipt_number: str
    charged_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., attempt: _Optional[int] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., amount_cents: _Optional[int] = ..., status: _Optional[_Union[OrderChargeStatus, str]] = ..., decline_reason: _Optional[str] = ..., receipt_number: _Optional[str] = ..., charged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
