import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MessageDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_DIRECTION_UNSPECIFIED: _ClassVar[MessageDirection]
    MESSAGE_DIRECTION_TO_RESIDENT: _ClassVar[MessageDirection]
    MESSAGE_DIRECTION_FROM_RESIDENT: _ClassVar[MessageDirection]

class MessageStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_STATUS_UNSPECIFIED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_PENDING_REVIEW: _ClassVar[MessageStatus]
    MESSAGE_STATUS_APPROVED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_REJECTED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_DELIVERED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_READ: _ClassVar[MessageStatus]
    MESSAGE_STATUS_EXPIRED: _ClassVar[MessageStatus]
MESSAGE_DIRECTION_UNSPECIFIED: MessageDirection
MESSAGE_DIRECTION_TO_RESIDENT: MessageDirection
MESSAGE_DIRECTION_FROM_RESIDENT: MessageDirection
MESSAGE_STATUS_UNSPECIFIED: MessageStatus
MESSAGE_STATUS_PENDING_REVIEW: MessageStatus
MESSAGE_STATUS_APPROVED: MessageStatus
MESSAGE_STATUS_REJECTED: MessageStatus
MESSAGE_STATUS_DELIVERED: MessageStatus
MESSAGE_STATUS_READ: MessageStatus
MESSAGE_STATUS_EXPIRED: MessageStatus

class Accepted(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ImageReference(_message.Message):
    __slots__ = ("index", "content_type", "width", "height", "size_bytes", "sha256")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    index: int
    content_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    def __init__(self, index: _Optional[int] = ..., content_type: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("message_id", "direction", "account_id", "facility_id", "resident_id", "body", "images", "status", "rejection_reason", "collect", "collect_unpaid", "charged_cents", "sent_at", "decided_at", "delivered_at", "read_at", "expires_at")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    COLLECT_FIELD_NUMBER: _ClassVar[int]
    COLLECT_UNPAID_FIELD_NUMBER: _ClassVar[int]
    CHARGED_CENTS_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    direction: MessageDirection
    account_id: str
    facility_id: str
    resident_id: str
    body: str
    images: _containers.RepeatedCompositeFieldContainer[ImageReference]
    status: MessageStatus
    rejection_reason: str
    collect: bool
    collect_unpaid: bool
    charged_cents: int
    sent_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    read_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, message_id: _Optional[str] = ..., direction: _Optional[_Union[MessageDirection, str]] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., body: _Optional[str] = ..., images: _Optional[_Iterable[_Union[ImageReference, _Mapping]]] = ..., status: _Optional[_Union[MessageStatus, str]] = ..., rejection_reason: _Optional[str] = ..., collect: _Optional[bool] = ..., collect_unpaid: _Optional[bool] = ..., charged_cents: _Optional[int] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ImageUpload(_message.Message):
    __slots__ = ("file_name", "content_type", "content")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    content_type: str
    content: bytes
    def __init__(self, file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class SendMessageRequest(_message.Message):
    __slots__ = ("client_key", "facility_id", "resident_id", "body", "images", "draft_id")
    CLIENT_KEY_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    DRAFT_ID_FIELD_NUMBER: _ClassVar[int]
    client_key: str
    facility_id: str
    resident_id: str
    body: str
    images: _containers.RepeatedCompositeFieldContainer[ImageUpload]
    draft_id: str
    def __init__(self, client_key: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., body: _Optional[str] = ..., images: _Optional[_Iterable[_Union[ImageUpload, _Mapping]]] = ..., draft_id: _Optional[str] = ...) -> None: ...

class Draft(_message.Message):
    __slots__ = ("draft_id", "facility_id", "resident_id", "body", "saved_at")
    DRAFT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SAVED_AT_FIELD_NUMBER: _ClassVar[int]
    draft_id: str
    facility_id: str
    resident_id: str
    body: str
    saved_at: _timestamp_pb2.Timestamp
    def __init__(self, draft_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., body: _Optional[str] = ..., saved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SaveDraftRequest(_message.Message):
    __slots__ = ("draft_id", "client_key", "facility_id", "resident_id", "body")
    DRAFT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_KEY_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    draft_id: str
    client_key: str
    facility_id: str
    resident_id: str
    body: str
    def __init__(self, draft_id: _Optional[str] = ..., client_key: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class ListDraftsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDraftsResponse(_message.Message):
    __slots__ = ("drafts", "next_page_token")
    DRAFTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    drafts: _containers.RepeatedCompositeFieldContainer[Draft]
    next_page_token: str
    def __init__(self, drafts: _Optional[_Iterable[_Union[Draft, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteDraftRequest(_message.Message):
    __slots__ = ("draft_id",)
    DRAFT_ID_FIELD_NUMBER: _ClassVar[int]
    draft_id: str
    def __init__(self, draft_id: _Optional[str] = ...) -> None: ...

class ListInboxRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSentRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMessagesResponse(_message.Message):
    __slots__ = ("messages", "next_page_token")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    next_page_token: str
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetMessageRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class OpenCollectMessageRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class GetImageRequest(_message.Message):
    __slots__ = ("message_id", "image_index", "thumbnail", "content_wanted")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_INDEX_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_FIELD_NUMBER: _ClassVar[int]
    CONTENT_WANTED_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    image_index: int
    thumbnail: bool
    content_wanted: bool
    def __init__(self, message_id: _Optional[str] = ..., image_index: _Optional[int] = ..., thumbnail: _Optional[bool] = ..., content_wanted: _Optional[bool] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("content_type", "content", "url", "url_expires_at")
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    URL_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    content: bytes
    url: str
    url_expires_at: _timestamp_pb2.Timestamp
    def __init__(self, content_type: _Optional[str] = ..., content: _Optional[bytes] = ..., url: _Optional[str] = ..., url_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BlockResidentRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class UnblockResidentRequest(_message.Message):
    __slots__ = ("facility_id", "resident_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ...) -> None: ...

class BlockedResident(_message.Message):
    __slots__ = ("facility_id", "resident_id", "blocked_at")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_AT_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    resident_id: str
    blocked_at: _timestamp_pb2.Timestamp
    def __init__(self, facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., blocked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListBlockedResidentsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListBlockedResidentsResponse(_message.Message):
    __slots__ = ("residents",)
    RESIDENTS_FIELD_NUMBER: _ClassVar[int]
    residents: _containers.RepeatedCompositeFieldContainer[BlockedResident]
    def __init__(self, residents: _Optional[_Iterable[_Union[BlockedResident, _Mapping]]] = ...) -> None: ...

class ListReviewQueueRequest(_message.Message):
    __slots__ = ("facility_id", "page_size", "page_token")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    page_size: int
    page_token: str
    def __init__(self, facility_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ReviewItem(_message.Message):
    __slots__ = ("message", "thumbnails")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    THUMBNAILS_FIELD_NUMBER: _ClassVar[int]
    message: Message
    thumbnails: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, message: _Optional[_Union[Message, _Mapping]] = ..., thumbnails: _Optional[_Iterable[bytes]] = ...) -> None: ...

class ListReviewQueueResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ReviewItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[ReviewItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ApproveMessageRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class RejectMessageRequest(_message.Message):
    __slots__ = ("message_id", "reason")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    reason: str
    def __init__(self, message_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ListResidentMessagesRequest(_message.Message):
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

class ListResidentMessagesResponse(_message.Message):
    __slots__ = ("messages", "next_page_token")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    next_page_token: str
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PostReplyRequest(_message.Message):
    __slots__ = ("client_key", "facility_id", "resident_id", "account_id", "body", "collect")
    CLIENT_KEY_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    COLLECT_FIELD_NUMBER: _ClassVar[int]
    client_key: str
    facility_id: str
    resident_id: str
    account_id: str
    body: str
    collect: bool
    def __init__(self, client_key: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., account_id: _Optional[str] = ..., body: _Optional[str] = ..., collect: _Optional[bool] = ...) -> None: ...

class MarkReadByResidentRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class GetDeliveredMessageRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class DeliveredMessage(_message.Message):
    __slots__ = ("message_id", "account_id", "facility_id", "resident_id", "resident_name", "body", "image_count", "image_urls", "image_urls_expire_at")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_NAME_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URLS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URLS_EXPIRE_AT_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    account_id: str
    facility_id: str
    resident_id: str
    resident_name: str
    body: str
    image_count: int
    image_urls: _containers.RepeatedScalarFieldContainer[str]
    image_urls_expire_at: _timestamp_pb2.Timestamp
    def __init__(self, message_id: _Optional[str] = ..., account_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., resident_id: _Optional[str] = ..., resident_name: _Optional[str] = ..., body: _Optional[str] = ..., image_count: _Optional[int] = ..., image_urls: _Optional[_Iterable[str]] = ..., image_urls_expire_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
