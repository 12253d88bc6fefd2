"""What the pages of messages ask the SMS gateway: a resident's SMS settings, whether to offer
setting SMS up after a message is sent, and what a text would cost as SMS (decision 0048)."""

from __future__ import annotations

from urllib.parse import quote as quoted

from kinlink.sms.v1 import sms_pb2 as pb
from starlette.requests import Request

from kinlink_portal.services import Failure
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

# The compose page's buttons that show the preview, or put its plain text in the message.
PREVIEW_SMS = "preview_sms"
USE_PLAIN_TEXT = "use_plain_text"


def sms_path(facility_id: str, resident_id: str, step: str = "") -> str:
    path = f"/sms/{quoted(facility_id, safe='')}/{quoted(resident_id, safe='')}"
    return f"{path}/{step}" if step else path


async def subscription_of(
    request: Request, facility_id: str, resident_id: str
) -> pb.SmsSubscription | None:
    """The visitor's SMS settings for the resident, or None before they first set SMS up."""
    asking = pb.GetSmsSubscriptionRequest(facility_id=facility_id, resident_id=resident_id)
    try:
        return await call_signed_in(request, services(request).sms.GetSmsSubscription, asking)
    except Refusal as refusal:
        if refusal.code == "sms_subscription_not_found":
            return None
        raise


def is_on(subscription: pb.SmsSubscription | None) -> bool:
    """SMS reach a verified number (also while a new number waits for its code)."""
    return (
        subscription is not None
        and bool(subscription.phone_number)
        and subscription.status
        in (pb.SMS_SUBSCRIPTION_STATUS_ON, pb.SMS_SUBSCRIPTION_STATUS_VERIFYING)
    )


async def offers_sms(request: Request, facility_id: str, resident_id: str) -> bool:
    """After writing to a resident whose facility offers SMS: whether SMS is still to be set up
    for them. The message is sent by then: a gateway that cannot answer offers nothing rather
    than failing the page."""
    try:
        return not is_on(await subscription_of(request, facility_id, resident_id))
    except (Refusal, Failure):
        return False


async def preview(request: Request, facility_id: str, body: str) -> pb.SmsPreview:
    """What `body` would cost as SMS at the facility: segments, price, the characters that
    make it UCS-2 and the plain text suggested instead."""
    asking = pb.PreviewSmsRequest(facility_id=facility_id, body=body)
    return await call_signed_in(request, services(request).sms.PreviewSms, asking)
