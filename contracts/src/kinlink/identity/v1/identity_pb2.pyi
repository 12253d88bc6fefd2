import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AccountStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_STATUS_UNSPECIFIED: _ClassVar[AccountStatus]
    ACCOUNT_STATUS_PENDING_ACTIVATION: _ClassVar[AccountStatus]
    ACCOUNT_STATUS_ACTIVE: _ClassVar[AccountStatus]
    ACCOUNT_STATUS_CLOSED: _ClassVar[AccountStatus]

class IdVerificationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ID_VERIFICATION_STATUS_UNSPECIFIED: _ClassVar[IdVerificationStatus]
    ID_VERIFICATION_NOT_REQUIRED: _ClassVar[IdVerificationStatus]
    ID_VERIFICATION_REQUIRED: _ClassVar[IdVerificationStatus]
    ID_VERIFICATION_VERIFIED: _ClassVar[IdVerificationStatus]
    ID_VERIFICATION_FAILED: _ClassVar[IdVerificationStatus]

class ResidentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESIDENT_STATUS_UNSPECIFIED: _ClassVar[ResidentStatus]
    RESIDENT_STATUS_IN_CUSTODY: _ClassVar[ResidentStatus]
    RESIDENT_STATUS_TRANSFERRED: _ClassVar[ResidentStatus]
    RESIDENT_STATUS_RELEASED: _ClassVar[ResidentStatus]
ACCOUNT_STATUS_UNSPECIFIED: AccountStatus
ACCOUNT_STATUS_PENDING_ACTIVATION: AccountStatus
ACCOUNT_STATUS_ACTIVE: AccountStatus
ACCOUNT_STATUS_CLOSED: AccountStatus
ID_VERIFICATION_STATUS_UNSPECIFIED: IdVerificationStatus
ID_VERIFICATION_NOT_REQUIRED: IdVerificationStatus
ID_VERIFICATION_REQUIRED: IdVerificationStatus
ID_VERIFICATION_VERIFIED: IdVerificationStatus
ID_VERIFICATION_FAILED: IdVerificationStatus
RESIDENT_STATUS_UNSPECIFIED: ResidentStatus
RESIDENT_STATUS_IN_CUSTODY: ResidentStatus
RESIDENT_STATUS_TRANSFERRED: ResidentStatus
RESIDENT_STATUS_RELEASED: ResidentStatus

class Accepted(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EmailRequest(_message.Message):
    __slots__ = ("email",)
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class TokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class PostalAddress(_message.Message):
    __slots__ = ("line1", "line2", "city", "region", "postal_code", "country")
    LINE1_FIELD_NUMBER: _ClassVar[int]
    LINE2_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    def __init__(self, line1: _Optional[str] = ..., line2: _Optional[str] = ..., city: _Optional[str] = ..., region: _Optional[str] = ..., postal_code: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class RegisterRequest(_message.Message):
    __slots__ = ("email", "password", "first_name", "last_name", "address", "phone", "time_zone", "facility_id")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    first_name: str
    last_name: str
    address: PostalAddress
    phone: str
    time_zone: str
    facility_id: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., address: _Optional[_Union[PostalAddress, _Mapping]] = ..., phone: _Optional[str] = ..., time_zone: _Optional[str] = ..., facility_id: _Optional[str] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("account_id", "email", "first_name", "last_name", "address", "phone", "time_zone", "status", "email_subscribed", "id_verification", "roles", "facility_ids", "messaging_subscription_card_id", "registered_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EMAIL_SUBSCRIBED_FIELD_NUMBER: _ClassVar[int]
    ID_VERIFICATION_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    FACILITY_IDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGING_SUBSCRIPTION_CARD_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    email: str
    first_name: str
    last_name: str
    address: PostalAddress
    phone: str
    time_zone: str
    status: AccountStatus
    email_subscribed: bool
    id_verification: IdVerificationStatus
    roles: _containers.RepeatedScalarFieldContainer[str]
    facility_ids: _containers.RepeatedScalarFieldContainer[str]
    messaging_subscription_card_id: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., email: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., address: _Optional[_Union[PostalAddress, _Mapping]] = ..., phone: _Optional[str] = ..., time_zone: _Optional[str] = ..., status: _Optional[_Union[AccountStatus, str]] = ..., email_subscribed: _Optional[bool] = ..., id_verification: _Optional[_Union[IdVerificationStatus, str]] = ..., roles: _Optional[_Iterable[str]] = ..., facility_ids: _Optional[_Iterable[str]] = ..., messaging_subscription_card_id: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogInRequest(_message.Message):
    __slots__ = ("email", "password")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("access_token", "access_token_expires_at", "refresh_token", "refresh_token_expires_at", "account")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    access_token_expires_at: _timestamp_pb2.Timestamp
    refresh_token: str
    refresh_token_expires_at: _timestamp_pb2.Timestamp
    account: Account
    def __init__(self, access_token: _Optional[str] = ..., access_token_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refresh_token: _Optional[str] = ..., refresh_token_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class RefreshSessionRequest(_message.Message):
    __slots__ = ("refresh_token",)
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    def __init__(self, refresh_token: _Optional[str] = ...) -> None: ...

class ResetPasswordRequest(_message.Message):
    __slots__ = ("token", "new_password")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    token: str
    new_password: str
    def __init__(self, token: _Optional[str] = ..., new_password: _Optional[str] = ...) -> None: ...

class GetAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class EditAccountRequest(_message.Message):
    __slots__ = ("fields", "first_name", "last_name", "address", "phone", "time_zone")
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedScalarFieldContainer[str]
    first_name: str
    last_name: str
    address: PostalAddress
    phone: str
    time_zone: str
    def __init__(self, fields: _Optional[_Iterable[str]] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., address: _Optional[_Union[PostalAddress, _Mapping]] = ..., phone: _Optional[str] = ..., time_zone: _Optional[str] = ...) -> None: ...

class RequestEmailChangeRequest(_message.Message):
    __slots__ = ("new_email", "password")
    NEW_EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    new_email: str
    password: str
    def __init__(self, new_email: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class SetEmailSubscriptionRequest(_message.Message):
    __slots__ = ("subscribed",)
    SUBSCRIBED_FIELD_NUMBER: _ClassVar[int]
    subscribed: bool
    def __init__(self, subscribed: _Optional[bool] = ...) -> None: ...

class CloseAccountRequest(_message.Message):
    __slots__ = ("password",)
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    password: str
    def __init__(self, password: _Optional[str] = ...) -> None: ...

class SubmitIdVerificationRequest(_message.Message):
    __slots__ = ("legal_first_name", "legal_last_name", "date_of_birth", "address", "ssn", "activation_token")
    LEGAL_FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SSN_FIELD_NUMBER: _ClassVar[int]
    ACTIVATION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    legal_first_name: str
    legal_last_name: str
    date_of_birth: str
    address: PostalAddress
    ssn: str
    activation_token: str
    def __init__(self, legal_first_name: _Optional[str] = ..., legal_last_name: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., address: _Optional[_Union[PostalAddress, _Mapping]] = ..., ssn: _Optional[str] = ..., activation_token: _Optional[str] = ...) -> None: ...

class CreateStaffAccountRequest(_message.Message):
    __slots__ = ("email", "password", "first_name", "last_name", "roles", "facility_ids")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    FACILITY_IDS_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    first_name: str
    last_name: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    facility_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., facility_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CloseStaffAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class ListStaffAccountsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStaffAccountsResponse(_message.Message):
    __slots__ = ("accounts", "next_page_token")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[Account]
    next_page_token: str
    def __init__(self, accounts: _Optional[_Iterable[_Union[Account, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AddCardRequest(_message.Message):
    __slots__ = ("payment_method", "billing_address", "fund_messaging_subscription", "facility_id")
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    FUND_MESSAGING_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    payment_method: str
    billing_address: PostalAddress
    fund_messaging_subscription: bool
    facility_id: str
    def __init__(self, payment_method: _Optional[str] = ..., billing_address: _Optional[_Union[PostalAddress, _Mapping]] = ..., fund_messaging_subscription: _Optional[bool] = ..., facility_id: _Optional[str] = ...) -> None: ...

class Card(_message.Message):
    __slots__ = ("card_id", "brand", "last4", "exp_month", "exp_year", "billing_address", "funds_messaging_subscription", "payment_method")
    CARD_ID_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    LAST4_FIELD_NUMBER: _ClassVar[int]
    EXP_MONTH_FIELD_NUMBER: _ClassVar[int]
    EXP_YEAR_FIELD_NUMBER: _ClassVar[int]
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    FUNDS_MESSAGING_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    card_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    billing_address: PostalAddress
    funds_messaging_subscription: bool
    payment_method: str
    def __init__(self, card_id: _Optional[str] = ..., brand: _Optional[str] = ..., last4: _Optional[str] = ..., exp_month: _Optional[int] = ..., exp_year: _Optional[int] = ..., billing_address: _Optional[_Union[PostalAddress, _Mapping]] = ..., funds_messaging_subscription: _Optional[bool] = ..., payment_method: _Optional[str] = ...) -> None: ...

class EditCardRequest(_message.Message):
    __slots__ = ("card_id", "fields", "exp_month", "exp_year", "billing_address", "fund_messaging_subscription")
    CARD_ID_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    EXP_MONTH_FIELD_NUMBER: _ClassVar[int]
    EXP_YEAR_FIELD_NUMBER: _ClassVar[int]
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    FUND_MESSAGING_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    card_id: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    exp_month: int
    exp_year: int
    billing_address: PostalAddress
    fund_messaging_subscription: bool
    def __init__(self, card_id: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ..., exp_month: _Optional[int] = ..., exp_year: _Optional[int] = ..., billing_address: _Optional[_Union[PostalAddress, _Mapping]] = ..., fund_messaging_subscription: _Optional[bool] = ...) -> None: ...

class RemoveCardRequest(_message.Message):
    __slots__ = ("card_id",)
    CARD_ID_FIELD_NUMBER: _ClassVar[int]
    card_id: str
    def __init__(self, card_id: _Optional[str] = ...) -> None: ...

class ListCardsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCardsResponse(_message.Message):
    __slots__ = ("cards",)
    CARDS_FIELD_NUMBER: _ClassVar[int]
    cards: _containers.RepeatedCompositeFieldContainer[Card]
    def __init__(self, cards: _Optional[_Iterable[_Union[Card, _Mapping]]] = ...) -> None: ...

class FeeTier(_message.Message):
    __slots__ = ("up_to_cents", "fee_cents")
    UP_TO_CENTS_FIELD_NUMBER: _ClassVar[int]
    FEE_CENTS_FIELD_NUMBER: _ClassVar[int]
    up_to_cents: int
    fee_cents: int
    def __init__(self, up_to_cents: _Optional[int] = ..., fee_cents: _Optional[int] = ...) -> None: ...

class VisitingWindow(_message.Message):
    __slots__ = ("day", "opens", "closes")
    DAY_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLOSES_FIELD_NUMBER: _ClassVar[int]
    day: str
    opens: str
    closes: str
    def __init__(self, day: _Optional[str] = ..., opens: _Optional[str] = ..., closes: _Optional[str] = ...) -> None: ...

class ImageRules(_message.Message):
    __slots__ = ("max_bytes", "content_types", "max_per_message", "min_dimension_px", "max_dimension_px")
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAX_PER_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MIN_DIMENSION_PX_FIELD_NUMBER: _ClassVar[int]
    MAX_DIMENSION_PX_FIELD_NUMBER: _ClassVar[int]
    max_bytes: int
    content_types: _containers.RepeatedScalarFieldContainer[str]
    max_per_message: int
    min_dimension_px: int
    max_dimension_px: int
    def __init__(self, max_bytes: _Optional[int] = ..., content_types: _Optional[_Iterable[str]] = ..., max_per_message: _Optional[int] = ..., min_dimension_px: _Optional[int] = ..., max_dimension_px: _Optional[int] = ...) -> None: ...

class FacilitySettings(_message.Message):
    __slots__ = ("name", "time_zone", "weekly_deposit_limit_cents", "deposit_fee_tiers", "accepted_card_brands", "message_price_cents", "image_price_cents", "review_policy", "image_rules", "visiting_hours", "video_stations", "video_price_per_minute_cents", "sms_available", "mms_available", "commissary_posting_day", "id_verification", "id_verification_threshold_cents", "messaging_funding_options_cents", "messaging_switched_off", "refund_rejected_messages", "commissary_payment_mode", "commissary_posting_time", "allowance_period_days", "commissary_available", "video_slot_minutes", "video_booking_lead_minutes", "video_booking_horizon_days", "video_blackout_dates", "facility_kind", "average_daily_population")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_DEPOSIT_LIMIT_CENTS_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_FEE_TIERS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_CARD_BRANDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_PRICE_CENTS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_POLICY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_RULES_FIELD_NUMBER: _ClassVar[int]
    VISITING_HOURS_FIELD_NUMBER: _ClassVar[int]
    VIDEO_STATIONS_FIELD_NUMBER: _ClassVar[int]
    VIDEO_PRICE_PER_MINUTE_CENTS_FIELD_NUMBER: _ClassVar[int]
    SMS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    MMS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    COMMISSARY_POSTING_DAY_FIELD_NUMBER: _ClassVar[int]
    ID_VERIFICATION_FIELD_NUMBER: _ClassVar[int]
    ID_VERIFICATION_THRESHOLD_CENTS_FIELD_NUMBER: _ClassVar[int]
    MESSAGING_FUNDING_OPTIONS_CENTS_FIELD_NUMBER: _ClassVar[int]
    MESSAGING_SWITCHED_OFF_FIELD_NUMBER: _ClassVar[int]
    REFUND_REJECTED_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    COMMISSARY_PAYMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    COMMISSARY_POSTING_TIME_FIELD_NUMBER: _ClassVar[int]
    ALLOWANCE_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    COMMISSARY_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_SLOT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    VIDEO_BOOKING_LEAD_MINUTES_FIELD_NUMBER: _ClassVar[int]
    VIDEO_BOOKING_HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    VIDEO_BLACKOUT_DATES_FIELD_NUMBER: _ClassVar[int]
    FACILITY_KIND_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_DAILY_POPULATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    time_zone: str
    weekly_deposit_limit_cents: int
    deposit_fee_tiers: _containers.RepeatedCompositeFieldContainer[FeeTier]
    accepted_card_brands: _containers.RepeatedScalarFieldContainer[str]
    message_price_cents: int
    image_price_cents: int
    review_policy: str
    image_rules: ImageRules
    visiting_hours: _containers.RepeatedCompositeFieldContainer[VisitingWindow]
    video_stations: int
    video_price_per_minute_cents: int
    sms_available: bool
    mms_available: bool
    commissary_posting_day: str
    id_verification: str
    id_verification_threshold_cents: int
    messaging_funding_options_cents: _containers.RepeatedScalarFieldContainer[int]
    messaging_switched_off: bool
    refund_rejected_messages: bool
    commissary_payment_mode: str
    commissary_posting_time: str
    allowance_period_days: int
    commissary_available: bool
    video_slot_minutes: _containers.RepeatedScalarFieldContainer[int]
    video_booking_lead_minutes: int
    video_booking_horizon_days: int
    video_blackout_dates: _containers.RepeatedScalarFieldContainer[str]
    facility_kind: str
    average_daily_population: int
    def __init__(self, name: _Optional[str] = ..., time_zone: _Optional[str] = ..., weekly_deposit_limit_cents: _Optional[int] = ..., deposit_fee_tiers: _Optional[_Iterable[_Union[FeeTier, _Mapping]]] = ..., accepted_card_brands: _Optional[_Iterable[str]] = ..., message_price_cents: _Optional[int] = ..., image_price_cents: _Optional[int] = ..., review_policy: _Optional[str] = ..., image_rules: _Optional[_Union[ImageRules, _Mapping]] = ..., visiting_hours: _Optional[_Iterable[_Union[VisitingWindow, _Mapping]]] = ..., video_stations: _Optional[int] = ..., video_price_per_minute_cents: _Optional[int] = ..., sms_available: _Optional[bool] = ..., mms_available: _Optional[bool] = ..., commissary_posting_day: _Optional[str] = ..., id_verification: _Optional[str] = ..., id_verification_threshold_cents: _Optional[int] = ..., messaging_funding_options_cents: _Optional[_Iterable[int]] = ..., messaging_switched_off: _Optional[bool] = ..., refund_rejected_messages: _Optional[bool] = ..., commissary_payment_mode: _Optional[str] = ..., commissary_posting_time: _Optional[str] = ..., allowance_period_days: _Optional[int] = ..., commissary_available: _Optional[bool] = ..., video_slot_minutes: _Optional[_Iterable[int]] = ..., video_booking_lead_minutes: _Optional[int] = ..., video_booking_horizon_days: _Optional[int] = ..., video_blackout_dates: _Optional[_Iterable[str]] = ..., facility_kind: _Optional[str] = ..., average_daily_population: _Optional[int] = ...) -> None: ...

class Facility(_message.Message):
    __slots__ = ("facility_id", "revision", "settings")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    revision: int
    settings: FacilitySettings
    def __init__(self, facility_id: _Optional[str] = ..., revision: _Optional[int] = ..., settings: _Optional[_Union[FacilitySettings, _Mapping]] = ...) -> None: ...

class ConfigureFacilityRequest(_message.Message):
    __slots__ = ("facility_id", "settings")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    settings: FacilitySettings
    def __init__(self, facility_id: _Optional[str] = ..., settings: _Optional[_Union[FacilitySettings, _Mapping]] = ...) -> None: ...

class GetFacilityRequest(_message.Message):
    __slots__ = ("facility_id",)
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    def __init__(self, facility_id: _Optional[str] = ...) -> None: ...

class ListFacilitiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFacilitiesResponse(_message.Message):
    __slots__ = ("facilities",)
    FACILITIES_FIELD_NUMBER: _ClassVar[int]
    facilities: _containers.RepeatedCompositeFieldContainer[Facility]
    def __init__(self, facilities: _Optional[_Iterable[_Union[Facility, _Mapping]]] = ...) -> None: ...

class Resident(_message.Message):
    __slots__ = ("facility_id", "resident_id", "first_name", "last_name", "status", "transferred_to_facility_id", "transferred_to_resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_TO_FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_TO_RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    first_name: str
    last_name: str
    status: ResidentStatus
    transferred_to_facility_id: str
    transferred_to_resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., status: _Optional[_Union[ResidentStatus, str]] = ..., transferred_to_facility_id: _Optional[str] = ..., transferred_to_resident_id: _Optional[str] = ...) -> None: ...

class BookResidentRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "first_name", "last_name")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    first_name: str
    last_name: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ...) -> None: ...

class TransferResidentRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id", "to_facility_id", "to_resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    TO_RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    to_facility_id: str
    to_resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., to_facility_id: _Optional[str] = ..., to_resident_id: _Optional[str] = ...) -> None: ...

class ReleaseResidentRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class SearchResidentsRequest(_message.Message):
    __slots__ = ("last_name", "resident_id", "facility_id")
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    last_name: str
    resident_id: str
    facility_id: str
    def __init__(self, last_name: _Optional[str] = ..., resident_id: _Optional[str] = ..., facility_id: _Optional[str] = ...) -> None: ...

class ResidentSummary(_message.Message):
    __slots__ = ("facility_id", "facility_name", "resident_id", "first_name", "last_name", "status")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_NAME_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    facility_name: str
    resident_id: str
    first_name: str
    last_name: str
    status: ResidentStatus
    def __init__(self, facility_id: _Optional[str] = ..., facility_name: _Optional[str] = ..., resident_id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., status: _Optional[_Union[ResidentStatus, str]] = ...) -> None: ...

class SearchResidentsResponse(_message.Message):
    __slots__ = ("residents",)
    RESIDENTS_FIELD_NUMBER: _ClassVar[int]
    residents: _containers.RepeatedCompositeFieldContainer[ResidentSummary]
    def __init__(self, residents: _Optional[_Iterable[_Union[ResidentSummary, _Mapping]]] = ...) -> None: ...

class ListResidentsRequest(_message.Message):
    __slots__ = ("facility_id", "status", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    status: ResidentStatus
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., status: _Optional[_Union[ResidentStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListResidentsResponse(_message.Message):
    __slots__ = ("residents", "next_page_token")
    RESIDENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    residents: _containers.RepeatedCompositeFieldContainer[ResidentSummary]
    next_page_token: str
    def __init__(self, residents: _Optional[_Iterable[_Union[ResidentSummary, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
