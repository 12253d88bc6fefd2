"""The pictures of a family member's SMS reply (MMS) at a facility with `mms_available`: fetched
from the carrier at receipt, checked against the facility's image rules before anything is
charged, kept under the reply's id; and served, one at a time, to messaging (decision 0046)."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.errors import NotFound
from kinlink_kit.logging import get_logger

from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.ports import PictureGone
from kinlink_sms.domain.ports import ReceivedPicture
from kinlink_sms.domain.reply_pictures import PictureRefusal
from kinlink_sms.domain.reply_pictures import ReplyPicture
from kinlink_sms.domain.reply_pictures import broken_rule
from kinlink_sms.domain.reply_pictures import too_many
from kinlink_sms.service_layer.gateway import SmsGateway

log = get_logger(__name__)


class ReplyPictureNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("reply_picture_not_found", "No such picture of an SMS reply.")


def fetch_reply_pictures(
    gateway: SmsGateway, inbound_id: UUID, pictures: tuple[ReceivedPicture, ...], rules: ImageRules
) -> tuple[ReplyPicture, ...] | PictureRefusal:
    """Each picture fetched, checked and kept; or the first rule one breaks, or the first the
    carrier does not have (then none is kept). Raises `CarrierUnavailable`: nothing saved, the
    webhook answers 503."""
    if (refusal := too_many(rules, len(pictures))) is not None:
        return refusal
    fetched = []
    for index, picture in enumerate(pictures):
        if (refusal := broken_rule(rules, picture.content_type, 0)) is not None:
            return refusal  # the type the carrier declared, before fetching it
        try:
            got = gateway.carrier.fetch_picture(picture.url)
        except PictureGone:
            return PictureRefusal.PICTURE_UNREADABLE
        if (refusal := broken_rule(rules, got.content_type, len(got.content))) is not None:
            return refusal
        fetched.append((ReplyPicture.of(index, picture.url, got.content, got.content_type), got))
    for kept, got in fetched:
        gateway.pictures.put(inbound_id, kept.index, got.content)
    return tuple(kept for kept, _ in fetched)


def reply_picture(gateway: SmsGateway, inbound_id: UUID, index: int) -> tuple[ReplyPicture, bytes]:
    """A passed-on reply's picture and its bytes; fetched again from the carrier (and kept) when
    this replica does not hold it. Raises `ReplyPictureNotFound`, `PictureGone` (the bytes
    fetched again are not the ones checked) and `CarrierUnavailable`."""
    inbound = gateway.find(inbound_id, InboundSms, to_change=False)
    if inbound is None or inbound.payment_reference is None or not 0 <= index < len(inbound.kept):
        raise ReplyPictureNotFound()
    picture = inbound.kept[index]
    try:
        return picture, gateway.pictures.get(inbound_id, index)
    except PictureGone:
        content = gateway.carrier.fetch_picture(picture.url).content
    if not picture.matches(content):
        log.error("sms reply picture changed at the carrier", inbound_id=str(inbound_id))
        raise PictureGone()
    gateway.pictures.put(inbound_id, index, content)
    return picture, content
