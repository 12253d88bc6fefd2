"""SendMessage: a family member's message to a resident, paid from their messaging subscription
before it is accepted, in three steps a crash may stop anywhere (decision 0035):

1. check who may be messaged and what is sent, store the images, save the message awaiting its
   payment (`Message.Started`, never published);
2. charge the wallet once for reference `message:<id>` (the ledger makes a repeat return the
   first payment);
3. save it submitted with its payment (and delivered at once where the facility does not
   review); a draft it was sent from is deleted in the same save.

Without credit it is abandoned at once and its images deleted: nothing sent, nothing charged.
With the ledger unreachable it stays awaiting its payment, and the payment sweep
(`settle_payments`) submits it if the charge did happen after all, or abandons it.
A send repeated with the same client key is the same message, returned as it is (an abandoned
one is started again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.logging import get_logger

from kinlink_messaging.domain import ids
from kinlink_messaging.domain.draft import Draft
from kinlink_messaging.domain.images import check_image_count
from kinlink_messaging.domain.images import effective_image_rules
from kinlink_messaging.domain.message import ClientKeyMissing
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.message import check_can_message
from kinlink_messaging.domain.message import check_content
from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import ChargeKind
from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import PreparedImage

log = get_logger(__name__)


@dataclass(frozen=True)
class SendMessage:
    account_id: UUID
    facility_id: str
    resident_id: str
    # The caller's key for this send, the same on every retry of it.
    client_key: str
    body: str
    # The uploads as the image preparation takes them.
    images: tuple[Any, ...] = ()
    draft_id: UUID | None = None


def send_message(messaging: Messaging, command: SendMessage) -> Message:
    if not command.client_key.strip():
        raise ClientKeyMissing()
    message_id = ids.message_id(command.account_id, command.client_key)
    found = messaging.find(message_id, Message)
    if found is not None and found.status is not MessageStatus.ABANDONED:
        return found
    settings = check_recipient(
        messaging, command.account_id, command.facility_id, command.resident_id
    )
    check_content(command.body, len(command.images))
    check_image_count(len(command.images), effective_image_rules(settings.image_rules))
    if command.draft_id is not None:
        messaging.draft_of(command.account_id, command.draft_id)
    prepared = [messaging.prepare_image(upload, settings.image_rules) for upload in command.images]
    images = store_images(messaging, message_id, prepared)

    message, ours = _start(messaging, message_id, command, images, found)
    if not ours:
        return message  # the same send, started by a repeat that got there first
    items: tuple[ChargeItem, ...] = (ChargeItem(ChargeKind.MESSAGE, 1),)
    if images:
        items += (ChargeItem(ChargeKind.IMAGE, len(images)),)
    try:
        payment = messaging.wallet.charge(
            command.account_id, command.facility_id, items, message.reference
        )
    except InsufficientCredit:
        abandon(messaging, message_id)
        raise
    # WalletUnavailable goes to the caller as it is: the payment sweep settles the message.
    sent, revived = submit_paid(messaging, message_id, payment, settings, message)
    if revived:
        # The sweep abandoned it meanwhile and deleted its images: what was paid is sent whole.
        store_images(messaging, message_id, prepared)
    return sent


def check_recipient(
    messaging: Messaging, account_id: UUID, facility_id: str, resident_id: str
) -> FacilitySettings:
    """The facility's settings, once the resident is known to be one the account may
    exchange messages with."""
    resident = messaging.directory.resident(facility_id, resident_id)
    settings = messaging.directory.facility(facility_id)
    check_can_message(resident, settings)
    messaging.blocks(account_id).check_not_blocked(facility_id, resident_id)
    return settings


def store_images(
    messaging: Messaging, message_id: UUID, prepared: list[PreparedImage]
) -> tuple[ImageRef, ...]:
    images = []
    for number, image in enumerate(prepared):
        key, thumbnail_key = ImageRef.keys(message_id, number)
        messaging.images.put(key, image.content, image.content_type)
        messaging.images.put(thumbnail_key, image.thumbnail, image.thumbnail_content_type)
        images.append(
            ImageRef(
                key,
                thumbnail_key,
                image.sha256,
                image.content_type,
                image.width,
                image.height,
                len(image.content),
                image.thumbnail_content_type,
            )
        )
    return tuple(images)


def _start(
    messaging: Messaging,
    message_id: UUID,
    command: SendMessage,
    images: tuple[ImageRef, ...],
    found: Message | None,
) -> tuple[Message, bool]:
    """Step 1: the message saved awaiting its payment, and whether this request started it."""
    # The first attempt goes on what the send found; after a lost race, on what the store has.
    read = _first_as_found(messaging, message_id, found, known=True)

    def attempt() -> tuple[Message, bool]:
        at = messaging.clock()
        message = read()
        if message is None:
            message = Message.start(
                message_id,
                command.account_id,
                command.facility_id,
                command.resident_id,
                command.body,
                images,
                command.draft_id,
                at,
            )
        elif message.status is MessageStatus.ABANDONED:
            message.restart(command.body, images, command.draft_id, at)
        else:
            return message, False
        messaging.store.save(message)
        return message, True

    return messaging.retrying(attempt)


def submit_paid(
    messaging: Messaging,
    message_id: UUID,
    payment: Payment,
    settings: FacilitySettings,
    in_hand: Message | None = None,
) -> tuple[Message, bool]:
    """Step 3: paid, so submitted (and delivered at once where the facility does not review);
    the draft it was sent from deleted in the same save. Also whether it had been abandoned.
    `in_hand`: the message as this request saved it, spared a read unless another save won."""
    read = _first_as_found(messaging, message_id, in_hand, known=in_hand is not None)

    def attempt() -> tuple[Message, bool]:
        message = read()
        if message is None:
            raise MessageNotFound()
        revived = message.status is MessageStatus.ABANDONED
        message.submit(
            payment,
            reviewed=settings.review_policy is ReviewPolicy.REVIEW_ALL,
            at=messaging.clock(),
        )
        messaging.store.save(message, *_sent_draft(messaging, message))
        return message, revived

    sent, revived = messaging.retrying(attempt)
    log.info(
        "message submitted",
        message_id=str(message_id),
        facility_id=sent.facility_id,
        status=sent.status.value,
        amount_cents=payment.amount_cents,
    )
    return sent, revived


def _first_as_found(
    messaging: Messaging, message_id: UUID, found: Message | None, *, known: bool
) -> Callable[[], Message | None]:
    """Reads the message for each attempt: the first time as the caller `found` it (or not)
    when `known`, otherwise and after a lost race as the store has it now."""
    first = [found] if known else []

    def read() -> Message | None:
        return first.pop() if first else messaging.find(message_id, Message)

    return read


def _sent_draft(messaging: Messaging, message: Message) -> list[Draft]:
    if message.draft_id is None:
        return []
    draft = messaging.find(message.draft_id, Draft)
    if draft is None:
        return []
    draft.delete(messaging.clock())
    return [draft]


def abandon(messaging: Messaging, message_id: UUID) -> Message:
    """Its payment never happened: nothing is sent, its images are deleted."""

    def abandoning(message: Message) -> Message:
        message.abandon(messaging.clock())
        return message

    message = messaging.change(message_id, Message, abandoning, missing=MessageNotFound)
    if message.status is MessageStatus.ABANDONED:
        for key in message.image_keys():
            messaging.images.delete(key)
        log.info("message abandoned: not paid", message_id=str(message_id))
    return message
