import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SmsSubscriptionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_SUBSCRIPTION_STATUS_UNSPECIFIED: _ClassVar[SmsSubscriptionStatus]
    SMS_SUBSCRIPTION_STATUS_VERIFYING: _ClassVar[SmsSubscriptionStatus]
    SMS_SUBSCRIPTION_STATUS_ON: _ClassVar[SmsSubscriptionStatus]
    SMS_SUBSCRIPTION_STATUS_OFF: _ClassVar[SmsSubscriptionStatus]

class SmsOffReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_OFF_REASON_UNSPECIFIED: _ClassVar[SmsOffReason]
    SMS_OFF_REASON_DISABLED: _ClassVar[SmsOffReason]
    SMS_OFF_REASON_OPTED_OUT: _ClassVar[SmsOffReason]
    SMS_OFF_REASON_NUMBER_UNREACHABLE: _ClassVar[SmsOffReason]

class SmsEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_ENCODING_UNSPECIFIED: _ClassVar[SmsEncoding]
    SMS_ENCODING_GSM7: _ClassVar[SmsEncoding]
    SMS_ENCODING_UCS2: _ClassVar[SmsEncoding]

class SmsDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_DIRECTION_UNSPECIFIED: _ClassVar[SmsDirection]
    SMS_DIRECTION_TO_PHONE: _ClassVar[SmsDirection]
    SMS_DIRECTION_FROM_PHONE: _ClassVar[SmsDirection]

class SmsStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_STATUS_UNSPECIFIED: _ClassVar[SmsStatus]
    SMS_STATUS_QUEUED: _ClassVar[SmsStatus]
    SMS_STATUS_SENT: _ClassVar[SmsStatus]
    SMS_STATUS_DELIVERED: _ClassVar[SmsStatus]
    SMS_STATUS_FAILED: _ClassVar[SmsStatus]
    SMS_STATUS_NOT_SENT: _ClassVar[SmsStatus]
SMS_SUBSCRIPTION_STATUS_UNSPECIFIED: SmsSubscriptionStatus
SMS_SUBSCRIPTION_STATUS_VERIFYING: SmsSubscriptionStatus
SMS_SUBSCRIPTION_STATUS_ON: SmsSubscriptionStatus
SMS_SUBSCRIPTION_STATUS_OFF: SmsSubscriptionStatus
SMS_OFF_REASON_UNSPECIFIED: SmsOffReason
SMS_OFF_REASON_DISABLED: SmsOffReason
SMS_OFF_REASON_OPTED_OUT: SmsOffReason
SMS_OFF_REASON_NUMBER_UNREACHABLE: SmsOffReason
SMS_ENCODING_UNSPECIFIED: SmsEncoding
SMS_ENCODING_GSM7: SmsEncoding
SMS_ENCODING_UCS2: SmsEncoding
SMS_DIRECTION_UNSPECIFIED: SmsDirection
SMS_DIRECTION_TO_PHONE: SmsDirection
SMS_DIRECTION_FROM_PHONE: SmsDirection
SMS_STATUS_UNSPECIFIED: SmsStatus
SMS_STATUS_QUEUED: SmsStatus
SMS_STATUS_SENT: SmsStatus
SMS_STATUS_DELIVERED: SmsStatus
SMS_STATUS_FAILED: SmsStatus
SMS_STATUS_NOT_SENT: SmsStatus

class GetReplyPictureRequest(_message.Message):
    __slots__ = ("sms_id", "index")
    SMS_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    sms_id: str
    index: int
    def __init__(self, sms_id: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class ReplyPicture(_message.Message):
    __slots__ = ("sms_id", "index", "content_type", "content", "sha256")
    SMS_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    sms_id: str
    index: int
    content_type: str
    content: bytes
    sha256: str
    def __init__(self, sms_id: _Optional[str] = ..., index: _Optional[int] = ..., content_type: _Optional[str] = ..., content: _Optional[bytes] = ..., sha256: _Optional[str] = ...) -> None: ...

class StartVerificationRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "phone_number", "consent_version")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CONSENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    phone_number: str
    consent_version: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., phone_number: _Optional[str] = ..., consent_version: _Optional[str] = ...) -> None: ...

class ResendVerificationCodeRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class ConfirmVerificationRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "code")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    code: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class DisableSmsRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class GetSmsSubscriptionRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class ListSmsSubscriptionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSmsSubscriptionsResponse(_message.Message):
    __slots__ = ("subscriptions",)
    SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    subscriptions: _containers.RepeatedCompositeFieldContainer[SmsSubscription]
    def __init__(self, subscriptions: _Optional[_Iterable[_Union[SmsSubscription, _Mapping]]] = ...) -> None: ...

class SmsConsent(_message.Message):
    __slots__ = ("version", "text")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    version: str
    text: str
    def __init__(self, version: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class Verification(_message.Message):
    __slots__ = ("facility_id", "resident_id", "phone_number", "code_expires_at", "resend_available_at", "attempts_left", "consent")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CODE_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    RESEND_AVAILABLE_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_LEFT_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    phone_number: str
    code_expires_at: _timestamp_pb2.Timestamp
    resend_available_at: _timestamp_pb2.Timestamp
    attempts_left: int
    consent: SmsConsent
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., phone_number: _Optional[str] = ..., code_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resend_available_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempts_left: _Optional[int] = ..., consent: _Optional[_Union[SmsConsent, _Mapping]] = ...) -> None: ...

class SmsSubscription(_message.Message):
    __slots__ = ("facility_id", "resident_id", "status", "phone_number", "kinlink_number", "off_reason", "pending_verification", "consented_at", "consent_version")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KINLINK_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OFF_REASON_FIELD_NUMBER: _ClassVar[int]
    PENDING_VERIFICATION_FIELD_NUMBER: _ClassVar[int]
    CONSENTED_AT_FIELD_NUMBER: _ClassVar[int]
    CONSENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    status: SmsSubscriptionStatus
    phone_number: str
    kinlink_number: str
    off_reason: SmsOffReason
    pending_verification: Verification
    consented_at: _timestamp_pb2.Timestamp
    consent_version: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., status: _Optional[_Union[SmsSubscriptionStatus, str]] = ..., phone_number: _Optional[str] = ..., kinlink_number: _Optional[str] = ..., off_reason: _Optional[_Union[SmsOffReason, str]] = ..., pending_verification: _Optional[_Union[Verification, _Mapping]] = ..., consented_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., consent_version: _Optional[str] = ...) -> None: ...

class PreviewSmsRequest(_message.Message):
    __slots__ = ("facility_id", "body")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    body: str
    def __init__(self, facility_id: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class ForcingCharacter(_message.Message):
    __slots__ = ("character", "position", "replacement")
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    REPLACEMENT_FIELD_NUMBER: _ClassVar[int]
    character: str
    position: int
    replacement: str
    def __init__(self, character: _Optional[str] = ..., position: _Optional[int] = ..., replacement: _Optional[str] = ...) -> None: ...

class SmsPreview(_message.Message):
    __slots__ = ("encoding", "segments", "units", "price_per_segment_cents", "total_cents", "forcing_characters", "suggested_body", "suggested_segments", "suggested_total_cents")
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    PRICE_PER_SEGMENT_CENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    FORCING_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_BODY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    encoding: SmsEncoding
    segments: int
    units: int
    price_per_segment_cents: int
    total_cents: int
    forcing_characters: _containers.RepeatedCompositeFieldContainer[ForcingCharacter]
    suggested_body: str
    suggested_segments: int
    suggested_total_cents: int
    def __init__(self, encoding: _Optional[_Union[SmsEncoding, str]] = ..., segments: _Optional[int] = ..., units: _Optional[int] = ..., price_per_segment_cents: _Optional[int] = ..., total_cents: _Optional[int] = ..., forcing_characters: _Optional[_Iterable[_Union[ForcingCharacter, _Mapping]]] = ..., suggested_body: _Optional[str] = ..., suggested_segments: _Optional[int] = ..., suggested_total_cents: _Optional[int] = ...) -> None: ...

class ListSmsHistoryRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SmsHistoryEntry(_message.Message):
    __slots__ = ("sms_id", "direction", "facility_id", "resident_id", "body", "segments", "encoding", "pictures", "amount_cents", "status", "failure_reason", "message_id", "received_at", "expires_at")
    SMS_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    PICTURES_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    sms_id: str
    direction: SmsDirection
    facility_id: str
    resident_id: str
    body: str
    segments: int
    encoding: SmsEncoding
    pictures: int
    amount_cents: int
    status: SmsStatus
    failure_reason: str
    message_id: str
    received_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, sms_id: _Optional[str] = ..., direction: _Optional[_Union[SmsDirection, str]] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., body: _Optional[str] = ..., segments: _Optional[int] = ..., encoding: _Optional[_Union[SmsEncoding, str]] = ..., pictures: _Optional[int] = ..., amount_cents: _Optional[int] = ..., status: _Optional[_Union[SmsStatus, str]] = ..., failure_reason: _Optional[str] = ..., message_id: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSmsHistoryResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[SmsHistoryEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[SmsHistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetPhoneNumberStatusRequest(_message.Message):
    __slots__ = ("phone_number",)
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    phone_number: str
    def __init__(self, phone_number: _Optional[str] = ...) -> None: ...

class PhoneNumberStatus(_message.Message):
    __slots__ = ("phone_number", "opted_out", "opted_out_at", "opt_out_keyword", "unreachable", "carrier_error_code")
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OPTED_OUT_FIELD_NUMBER: _ClassVar[int]
    OPTED_OUT_AT_FIELD_NUMBER: _ClassVar[int]
    OPT_OUT_KEYWORD_FIELD_NUMBER: _ClassVar[int]
    UNREACHABLE_FIELD_NUMBER: _ClassVar[int]
    CARRIER_ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    phone_number: str
    opted_out: bool
    opted_out_at: _timestamp_pb2.Timestamp
    opt_out_keyword: str
    unreachable: bool
    carrier_error_code: int
    def __init__(self, phone_number: _Optional[str] = ..., opted_out: _Optional[bool] = ..., opted_out_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., opt_out_keyword: _Optional[str] = ..., unreachable: _Optional[bool] = ..., carrier_error_code: _Optional[int] = ...) -> None: ...
