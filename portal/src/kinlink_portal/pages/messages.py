"""Writing to a resident: the message, its photos and what they cost at the resident's facility
(and whether the facility reviews messages and refunds rejected ones) shown before sending;
drafts saved, listed, edited and deleted.

The compose page carries a client key made when it opened: a double submit, a reload or a retry
sends the same key, which messaging takes as one message, charged once."""

from __future__ import annotations

import secrets
from urllib.parse import quote as quoted
from urllib.parse import urlencode

from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.sms.v1 import sms_pb2 as sms_pb
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import Form
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.deposits import held_resident
from kinlink_portal.pages.message_parts import IMAGES
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.pages.message_parts import placed
from kinlink_portal.pages.message_parts import resident_names
from kinlink_portal.pages.sms_parts import PREVIEW_SMS
from kinlink_portal.pages.sms_parts import USE_PLAIN_TEXT
from kinlink_portal.pages.sms_parts import offers_sms
from kinlink_portal.pages.sms_parts import preview
from kinlink_portal.rendering import render
from kinlink_portal.security import MAX_UPLOAD_FILES
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

COMPOSE = ("body", IMAGES)
KEYS = ("client_key", "draft_id")
SAVE_DRAFT = "save_draft"
# Drafts are looked for page by page when one is opened: the service lists, it does not get one.
DRAFTS_PAGE = 200


def compose_path(facility_id: str, resident_id: str) -> str:
    return f"/messages/write/{quoted(facility_id, safe='')}/{quoted(resident_id, safe='')}"


async def facility_rules(request: Request, facility_id: str) -> identity_pb.FacilitySettings:
    facility = await call(
        request,
        services(request).identity.GetFacility,
        identity_pb.GetFacilityRequest(facility_id=facility_id),
    )
    return facility.settings


async def find_draft(request: Request, draft_id: str) -> pb.Draft:
    messaging, token = services(request).messaging, ""
    while True:
        listing = pb.ListDraftsRequest(page_size=DRAFTS_PAGE, page_token=token)
        page = await call_signed_in(request, messaging.ListDrafts, listing)
        for draft in page.drafts:
            if draft.draft_id == draft_id:
                return draft
        token = page.next_page_token
        if not token:
            raise Refusal("draft_not_found", "draft_id")


async def opened_form(request: Request) -> Form:
    """A new message, or the draft the address names (`?draft=`)."""
    values = {"body": "", "client_key": secrets.token_urlsafe(16), "draft_id": ""}
    draft_id = request.query_params.get("draft", "")
    if draft_id:
        draft = await find_draft(request, draft_id)
        values.update(body=draft.body, draft_id=draft.draft_id)
    return Form(COMPOSE, values)


def uploads_of(data: FormData) -> list[UploadFile]:
    """The photos chosen; an input left empty sends a file without a name."""
    return [
        upload
        for upload in data.getlist(IMAGES)
        if isinstance(upload, UploadFile) and upload.filename
    ]


async def compose(request: Request) -> Response:
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    rules = await facility_rules(request, resident["facility_id"])
    form = await opened_form(request)
    refill = False
    sms_preview: sms_pb.SmsPreview | None = None
    if request.method == "POST":
        data = await request.form(max_files=MAX_UPLOAD_FILES)
        form = Form(COMPOSE, {name: str(data.get(name, "")) for name in ("body", *KEYS)})
        action = data.get("action")
        try:
            if action == SAVE_DRAFT:
                await save_draft(request, form, resident)
                return with_notice("/messages/drafts", "draft_saved")
            if action in (PREVIEW_SMS, USE_PLAIN_TEXT):
                form, sms_preview = await previewed(request, form, resident, action)
            else:
                await send(request, form, resident, uploads_of(data))
                return await after_sending(request, rules, resident)
        except Refusal as refusal:
            form.refused(placed(refusal))
            refill = refusal.code == "insufficient_credit"
    return render(
        request,
        "message_compose.html",
        400 if form.errors else 200,
        form=form,
        resident=resident,
        action=compose_path(resident["facility_id"], resident["resident_id"]),
        prices=prices(rules),
        rules=rules,
        refill=refill,
        sms_preview=sms_preview,
        ucs2=sms_pb.SMS_ENCODING_UCS2,
        dollars=dollars,
    )


async def previewed(
    request: Request, form: Form, resident: dict[str, str], action: object
) -> tuple[Form, sms_pb.SmsPreview]:
    """The text's cost as SMS; with USE_PLAIN_TEXT, the message's text replaced by the plain
    one suggested, and its own cost."""
    found = await preview(request, resident["facility_id"], form.values["body"])
    if action == USE_PLAIN_TEXT:
        form = Form(COMPOSE, {**form.values, "body": found.suggested_body})
        found = await preview(request, resident["facility_id"], found.suggested_body)
    return form, found


async def after_sending(
    request: Request, rules: identity_pb.FacilitySettings, resident: dict[str, str]
) -> Response:
    """To the sent folder; when the facility offers SMS and it is not on for this resident,
    the folder offers to set it up."""
    query = {"notice": "sent"}
    facility_id, resident_id = resident["facility_id"], resident["resident_id"]
    if rules.sms_available and await offers_sms(request, facility_id, resident_id):
        query |= {"sms_facility": facility_id, "sms_resident": resident_id}
    return see_other("/messages/sent?" + urlencode(query))


def prices(rules: identity_pb.FacilitySettings) -> dict[str, str]:
    return {
        "message": dollars(rules.message_price_cents),
        "image": dollars(rules.image_price_cents),
    }


async def save_draft(request: Request, form: Form, resident: dict[str, str]) -> None:
    saving = pb.SaveDraftRequest(
        draft_id=form.values["draft_id"],
        client_key=form.values["client_key"],
        facility_id=resident["facility_id"],
        resident_id=resident["resident_id"],
        body=form.values["body"],
    )
    await call_signed_in(request, services(request).messaging.SaveDraft, saving)


async def send(
    request: Request, form: Form, resident: dict[str, str], uploads: list[UploadFile]
) -> None:
    sending = pb.SendMessageRequest(
        client_key=form.values["client_key"],
        facility_id=resident["facility_id"],
        resident_id=resident["resident_id"],
        body=form.values["body"],
        images=[
            pb.ImageUpload(
                file_name=upload.filename or "",
                content_type=upload.content_type or "",
                content=await upload.read(),
            )
            for upload in uploads
        ],
        draft_id=form.values["draft_id"],
    )
    await call_signed_in(request, services(request).messaging.SendMessage, sending)


async def drafts(request: Request) -> Response:
    listing = pb.ListDraftsRequest(page_size=PAGE_SIZE, page_token=page_token(request))
    page = await call_signed_in(request, services(request).messaging.ListDrafts, listing)
    return render(
        request,
        "message_drafts.html",
        drafts=page.drafts,
        next_page_token=page.next_page_token,
        first_page=bool(page_token(request)),
        facilities=await facilities(request),
        resident_name=await resident_names(
            request, ((d.facility_id, d.resident_id) for d in page.drafts)
        ),
        notice=request.query_params.get("notice", ""),
        compose_path=compose_path,
    )


async def delete_draft(request: Request) -> Response:
    deleting = pb.DeleteDraftRequest(draft_id=request.path_params["draft_id"])
    await call_signed_in(request, services(request).messaging.DeleteDraft, deleting)
    return with_notice("/messages/drafts", "draft_deleted")


routes = [
    Route("/messages/write/{facility_id}/{resident_id}", compose, methods=["GET", "POST"]),
    Route("/messages/drafts", drafts),
    Route("/messages/drafts/{draft_id}/delete", delete_draft, methods=["POST"]),
]
