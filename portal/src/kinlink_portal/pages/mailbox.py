"""A family member's messages: the inbox (residents' replies; a collect message shows only that
it must be paid for to open), the sent folder with each message's status, one message (opening
a reply reads it: it expires 14 days later), its photos served through the portal, and the
residents they blocked."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.messaging.v1 import messaging_pb2 as pb
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.deposits import facility_time_zone
from kinlink_portal.pages.deposits import local_time
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.pages.message_parts import resident_names
from kinlink_portal.pages.message_parts import status_said
from kinlink_portal.pages.sms_parts import sms_path
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

# What a browser is told an image is: only the types messaging stores, never what could run.
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
RESIDENT = ("facility_id", "resident_id")


async def folder(request: Request, sent: bool) -> Response:
    messaging = services(request).messaging
    token = page_token(request)
    if sent:
        listing = pb.ListSentRequest(page_size=PAGE_SIZE, page_token=token)
        page = await call_signed_in(request, messaging.ListSent, listing)
    else:
        asking = pb.ListInboxRequest(page_size=PAGE_SIZE, page_token=token)
        page = await call_signed_in(request, messaging.ListInbox, asking)
    return render(
        request,
        "message_folder.html",
        sent=sent,
        messages=page.messages,
        next_page_token=page.next_page_token,
        first_page=bool(token),
        facilities=await facilities(request),
        resident_name=await resident_names(
            request, ((m.facility_id, m.resident_id) for m in page.messages)
        ),
        status_said=status_said,
        notice=request.query_params.get("notice", ""),
        sms_offer=sms_offered(request),
    )


def sms_offered(request: Request) -> str:
    """Where to set SMS up for the resident just written to, when the compose page offered it."""
    facility_id = request.query_params.get("sms_facility", "")
    resident_id = request.query_params.get("sms_resident", "")
    return sms_path(facility_id, resident_id) if facility_id and resident_id else ""


async def inbox(request: Request) -> Response:
    return await folder(request, sent=False)


async def sent_folder(request: Request) -> Response:
    return await folder(request, sent=True)


async def message_page(request: Request) -> Response:
    """The message, read by opening it; an unpaid collect message, the offer to pay for it."""
    message_id = request.path_params["message_id"]
    opening = pb.GetMessageRequest(message_id=message_id)
    try:
        message = await call_signed_in(request, services(request).messaging.GetMessage, opening)
    except Refusal as refusal:
        if refusal.code != "collect_message_unpaid":
            raise
        return collect_offer(request, message_id, Form(()))
    return await shown(request, message)


def collect_offer(request: Request, message_id: str, form: Form) -> Response:
    refill = form.form_error != ""
    return render(
        request,
        "message_collect.html",
        400 if form.errors else 200,
        form=form,
        message_id=message_id,
        refill=refill,
    )


async def open_collect(request: Request) -> Response:
    """Pays for a collect message, then shows it; without credit, the way to refill."""
    message_id = request.path_params["message_id"]
    paying = pb.OpenCollectMessageRequest(message_id=message_id)
    try:
        await call_signed_in(request, services(request).messaging.OpenCollectMessage, paying)
    except Refusal as refusal:
        if refusal.code != "insufficient_credit":
            raise
        return collect_offer(request, message_id, Form(()).refused(Refusal(refusal.code)))
    return RedirectResponse(f"/messages/{message_id}", status_code=303)


async def shown(request: Request, message: pb.Message) -> Response:
    identity = services(request).identity
    account = await call_signed_in(request, identity.GetAccount, identity_pb.GetAccountRequest())
    facility_zone = await facility_time_zone(request, message.facility_id)
    zones = [account.time_zone or "UTC", facility_zone]
    expires = (
        [local_time(message.expires_at.seconds, zone) for zone in dict.fromkeys(zones)]
        if message.HasField("expires_at")
        else []
    )
    return render(
        request,
        "message.html",
        message=message,
        from_resident=message.direction == pb.MESSAGE_DIRECTION_FROM_RESIDENT,
        resident=(await resident_names(request, [(message.facility_id, message.resident_id)]))(
            message.facility_id, message.resident_id
        ),
        facility_name=(await facilities(request)).name(message.facility_id),
        sent_at=local_time(message.sent_at.seconds, facility_zone),
        status=status_said(message),
        expires=expires,
    )


async def image(request: Request) -> Response:
    """A photo of a message the visitor may see, streamed from messaging: never a public link.
    Its bytes pass through the portal even where the store signs URLs, since the pages load
    images only from the portal's own address (and the store may not be reachable from
    browsers)."""
    asking = pb.GetImageRequest(
        message_id=request.path_params["message_id"],
        image_index=request.path_params["index"],
        thumbnail=request.query_params.get("size") == "thumbnail",
        content_wanted=True,
    )
    found = await call_signed_in(request, services(request).messaging.GetImage, asking)
    content_type = found.content_type if found.content_type in IMAGE_TYPES else "image/jpeg"
    return Response(
        found.content,
        media_type=content_type,
        headers={"content-disposition": "inline", "cache-control": "private, no-store"},
    )


async def blocked(request: Request, form: Form | None = None) -> Response:
    listing = pb.ListBlockedResidentsRequest()
    found = await call_signed_in(request, services(request).messaging.ListBlockedResidents, listing)
    form = form or Form(RESIDENT)
    return render(
        request,
        "message_blocked.html",
        400 if form.errors else 200,
        form=form,
        residents=found.residents,
        facilities=await facilities(request),
        resident_name=await resident_names(
            request, ((r.facility_id, r.resident_id) for r in found.residents)
        ),
        notice=request.query_params.get("notice", ""),
    )


async def block(request: Request) -> Response:
    form = await submitted(request, (), hidden=RESIDENT)
    blocking = pb.BlockResidentRequest(**form.values)
    try:
        await call_signed_in(request, services(request).messaging.BlockResident, blocking)
    except Refusal as refusal:
        return await blocked(request, form.refused(refusal))
    return with_notice("/messages/blocked", "blocked")


async def unblock(request: Request) -> Response:
    form = await submitted(request, (), hidden=RESIDENT)
    unblocking = pb.UnblockResidentRequest(**form.values)
    await call_signed_in(request, services(request).messaging.UnblockResident, unblocking)
    return with_notice("/messages/blocked", "unblocked")


routes = [
    Route("/messages", inbox),
    Route("/messages/sent", sent_folder),
    Route("/messages/blocked", blocked),
    Route("/messages/blocked/add", block, methods=["POST"]),
    Route("/messages/blocked/remove", unblock, methods=["POST"]),
    Route("/messages/{message_id}", message_page),
    Route("/messages/{message_id}/open", open_collect, methods=["POST"]),
    Route("/messages/{message_id}/images/{index:int}", image),
]
