"""What every part of the messaging API shares: the service's name, method names, the request
fields refusals are about, and messages as the API shows them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import timestamp

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["MessagingService"].full_name
# Family members send, read, draft and block as themselves.
FAMILY = frozenset({Role.FAMILY_MEMBER})

# The request field a refusal is about, by its code, as every request naming it calls it; a
# method whose request names it otherwise says so where it calls its use case.
REQUEST_FIELDS = {
    **dict.fromkeys(
        (
            "facility_id_missing",
            "facility_not_found",
            "facility_out_of_scope",
            "messaging_switched_off",
        ),
        "facility_id",
    ),
    **dict.fromkeys(
        ("resident_id_missing", "resident_not_found", "resident_released", "resident_blocked"),
        "resident_id",
    ),
    **dict.fromkeys(("body_missing", "body_too_long"), "body"),
    "page_size_invalid": "page_size",
    "page_token_invalid": "page_token",
    # The image refused is named in the refusal's message (its file name).
    **dict.fromkeys(
        (
            "image_type_not_allowed",
            "image_type_mismatch",
            "image_corrupt",
            "image_too_large",
            "image_too_small",
            "image_too_big",
            "image_decompression_bomb",
            "image_heic_unsupported",
            "too_many_images",
        ),
        "images",
    ),
    "client_key_missing": "client_key",
    "message_not_found": "message_id",
    "draft_not_found": "draft_id",
}
# A call naming only a message: its facility is out of the caller's scope, the message is the
# input at fault.
MESSAGE_ID_FIELDS = {
    "message_not_found": "message_id",
    "facility_out_of_scope": "message_id",
}

# Awaiting its payment or abandoned, a message is not one yet: no list shows it, and a send
# answers only once it is paid for.
_STATUS = proto_enum(
    MessageStatus, pb.MessageStatus, AWAITING_PAYMENT="UNSPECIFIED", ABANDONED="UNSPECIFIED"
)
_DIRECTION = proto_enum(Direction, pb.MessageDirection)


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)


def caller_account() -> UUID:
    """The signed-in family member's account."""
    return parse_id(current_principal().account_id, "account_id")


def image_reference(index: int, image: ImageRef) -> pb.ImageReference:
    return pb.ImageReference(
        index=index,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size_bytes=image.size,
        sha256=image.sha256,
    )


def message_view(
    message: Message, now: datetime, *, with_body: bool = True, for_facility: bool = False
) -> pb.Message:
    """The message as its reader may see it at `now`: an expired one without body and images,
    and for its family member (not `for_facility`: the resident who wrote it, the officer who
    reviews it) a collect one not paid for too; lists leave bodies out (`with_body`)."""
    shown = message.viewable(now) and (for_facility or message.paid_to_open)
    payment = message.collect_payment if message.collect else message.payment
    view = pb.Message(
        message_id=str(message.id),
        direction=_DIRECTION[message.direction],
        account_id=str(message.account_id),
        facility_id=message.facility_id,
        resident_id=message.resident_id,
        body=message.body if shown and with_body else "",
        images=[image_reference(n, image) for n, image in enumerate(message.images)]
        if shown
        else [],
        status=_STATUS[message.status_at(now)],
        rejection_reason=message.rejection_reason or "",
        collect=message.collect,
        collect_unpaid=not message.paid_to_open,
        charged_cents=payment.amount_cents if payment is not None else 0,
    )
    moments = {
        "sent_at": message.submitted_at,
        "decided_at": message.decided_at,
        "delivered_at": message.delivered_at,
        "read_at": message.read_at,
        "expires_at": message.expires_at,
    }
    for name, at in moments.items():
        if at is not None:
            getattr(view, name).CopyFrom(timestamp(at))
    return view


__all__ = [
    "FAMILY",
    "MESSAGE_ID_FIELDS",
    "REQUEST_FIELDS",
    "SERVICE_NAME",
    "caller_account",
    "message_view",
    "method",
    "timestamp",
]
