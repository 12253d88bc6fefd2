"""SMS notifications, per resident the family member writes to: turned on for a mobile number
they verify with a six-digit code (the consent words shown with the number and again with the
code, which they agree to by entering it), turned off, moved to another number (verified
again); the SMS sent and received, readable for 14 days (decision 0047)."""

from __future__ import annotations

from collections.abc import Sequence

from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.messaging.v1 import messaging_pb2 as messaging_pb
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import FORM_WIDE
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.deposits import held_resident
from kinlink_portal.pages.deposits import local_time
from kinlink_portal.pages.message_parts import PAGE_SIZE
from kinlink_portal.pages.message_parts import page_token
from kinlink_portal.pages.message_parts import resident_names
from kinlink_portal.pages.messages import compose_path
from kinlink_portal.pages.messages import facility_rules
from kinlink_portal.pages.sms_parts import is_on
from kinlink_portal.pages.sms_parts import sms_path
from kinlink_portal.pages.sms_parts import subscription_of
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

NUMBER = ("phone_number",)
CODE = ("code",)
# A code the gateway refuses is said beside the code input, whatever field it names.
CODE_REFUSALS = frozenset(
    {
        "verification_code_wrong",
        "verification_code_expired",
        "verification_attempts_exhausted",
        "verification_not_started",
    }
)
# Codes that mean something else here than where messaging uses them.
SMS_MEANING = {"no_prior_correspondence": "sms_no_prior_correspondence"}
# The residents a family member corresponds with, as found in their sent messages.
CORRESPONDENCE_PAGE = 100

OFF_REASONS = {
    pb.SMS_OFF_REASON_DISABLED: N_("You turned text messages off."),
    pb.SMS_OFF_REASON_OPTED_OUT: N_(
        "Your phone replied STOP, so we send it nothing more. Text START to your Kinlink "
        "number, or turn text messages on with another number."
    ),
    pb.SMS_OFF_REASON_NUMBER_UNREACHABLE: N_(
        "Your phone company says this number cannot receive our texts. Try another mobile number."
    ),
}
STATUSES = {
    pb.SMS_STATUS_QUEUED: N_("Waiting to be sent"),
    pb.SMS_STATUS_SENT: N_("Sent"),
    pb.SMS_STATUS_DELIVERED: N_("Delivered"),
    pb.SMS_STATUS_FAILED: N_("Not delivered"),
    pb.SMS_STATUS_NOT_SENT: N_("Not sent"),
}
# Why an SMS failed or was not sent (the history's failure_reason): never charged.
FAILURE_REASONS = {
    "insufficient_credit": N_("Your messaging balance was too low: read it on Kinlink instead."),
    "number_opted_out": N_("Your phone had replied STOP."),
    "number_unreachable": N_("Your phone company could not deliver it: try another number."),
    "carrier_error": N_("Our text message provider could not deliver it."),
}
NOTICES = {
    "turned_off": lambda: _("Text messages are off for this resident."),
    "code_sent": lambda: _("We texted you a new code."),
}


def in_sms_terms(refusal: Refusal, field: str | None = None) -> Refusal:
    """The refusal as the SMS pages say it (placed on `field` when given)."""
    code = SMS_MEANING.get(refusal.code, refusal.code)
    return Refusal(code, refusal.field if field is None else field)


async def visitor_time_zone(request: Request) -> str:
    identity = services(request).identity
    account = await call_signed_in(request, identity.GetAccount, identity_pb.GetAccountRequest())
    return account.time_zone or "UTC"


async def corresponded(
    request: Request, subscriptions: Sequence[pb.SmsSubscription]
) -> list[tuple[str, str]]:
    """(facility id, resident id) of each resident with SMS settings or a message sent to them."""
    listing = messaging_pb.ListSentRequest(page_size=CORRESPONDENCE_PAGE)
    sent = await call_signed_in(request, services(request).messaging.ListSent, listing)
    pairs = [(s.facility_id, s.resident_id) for s in subscriptions]
    pairs += [(m.facility_id, m.resident_id) for m in sent.messages]
    return list(dict.fromkeys(pairs))


async def overview(request: Request) -> Response:
    sms = services(request).sms
    listed = await call_signed_in(
        request, sms.ListSmsSubscriptions, pb.ListSmsSubscriptionsRequest()
    )
    residents = await corresponded(request, listed.subscriptions)
    by_resident = {(s.facility_id, s.resident_id): s for s in listed.subscriptions}
    return render(
        request,
        "sms.html",
        residents=residents,
        subscription=lambda facility_id, resident_id: by_resident.get((facility_id, resident_id)),
        resident_name=await resident_names(request, residents),
        sms_path=sms_path,
        is_on=is_on,
    )


async def settings_page(request: Request, problem: str = "", status: int = 200) -> Response:
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    rules = await facility_rules(request, resident["facility_id"])
    subscription = await subscription_of(request, resident["facility_id"], resident["resident_id"])
    notice = NOTICES.get(request.query_params.get("notice", ""), lambda: "")()
    off_reason = ""
    if subscription is not None and subscription.status == pb.SMS_SUBSCRIPTION_STATUS_OFF:
        off_reason = _(
            OFF_REASONS.get(subscription.off_reason, OFF_REASONS[pb.SMS_OFF_REASON_DISABLED])
        )
    return render(
        request,
        "sms_settings.html",
        status,
        resident=resident,
        available=rules.sms_available,
        subscription=subscription,
        on=is_on(subscription),
        pending=subscription is not None and subscription.HasField("pending_verification"),
        off_reason=off_reason,
        notice=notice,
        problem=Form((), errors={FORM_WIDE: problem} if problem else {}),
        path=sms_path(resident["facility_id"], resident["resident_id"]),
        prices={"message": dollars(rules.message_price_cents)},
    )


async def settings(request: Request) -> Response:
    return await settings_page(request)


async def number(request: Request) -> Response:
    """Turning SMS on, or moving it to another number: the number, then a code texted to it."""
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    if request.method == "GET":
        return await number_page(request, resident, Form(NUMBER))
    form = await submitted(request, NUMBER)
    starting = pb.StartVerificationRequest(
        facility_id=resident["facility_id"],
        resident_id=resident["resident_id"],
        phone_number=form.values["phone_number"],
        consent_version=CURRENT_SMS_CONSENT_VERSION,
    )
    try:
        if not form.missing({"phone_number": "phone_number_missing"}):
            await call_signed_in(request, services(request).sms.StartVerification, starting)
            return see_other(sms_path(resident["facility_id"], resident["resident_id"], "code"))
    except Refusal as refusal:
        form.refused(in_sms_terms(refusal, "phone_number"))
    return await number_page(request, resident, form)


async def number_page(request: Request, resident: dict[str, str], form: Form) -> Response:
    subscription = await subscription_of(request, resident["facility_id"], resident["resident_id"])
    return render(
        request,
        "sms_number.html",
        400 if form.errors else 200,
        form=form,
        resident=resident,
        changing=is_on(subscription),
        current=subscription.phone_number if subscription is not None else "",
        consent=SMS_CONSENT_WORDS[CURRENT_SMS_CONSENT_VERSION],
        path=sms_path(resident["facility_id"], resident["resident_id"]),
    )


def code_unreachable(subscription: pb.SmsSubscription) -> bool:
    """The carrier reported that the code could not reach the number being verified."""
    return (
        subscription.status == pb.SMS_SUBSCRIPTION_STATUS_OFF
        and subscription.off_reason == pb.SMS_OFF_REASON_NUMBER_UNREACHABLE
        and subscription.HasField("pending_verification")
    )


async def try_another_number(request: Request, resident: dict[str, str], typed: str) -> Response:
    """The number page again, the carrier's refusal said beside the number."""
    form = Form(NUMBER, {"phone_number": typed})
    unreachable = Refusal("phone_number_unreachable", "phone_number")
    return await number_page(request, resident, form.refused(unreachable))


async def code_page(
    request: Request, resident: dict[str, str], form: Form, notice: str = ""
) -> Response:
    subscription = await subscription_of(request, resident["facility_id"], resident["resident_id"])
    path = sms_path(resident["facility_id"], resident["resident_id"])
    if subscription is None or not subscription.HasField("pending_verification"):
        return see_other(f"{path}/number")
    verification = subscription.pending_verification
    if code_unreachable(subscription):
        return await try_another_number(request, resident, verification.phone_number)
    zone = await visitor_time_zone(request)
    now = int(request.app.state.clock())
    return render(
        request,
        "sms_code.html",
        400 if form.errors else 200,
        form=form,
        resident=resident,
        verification=verification,
        changing=is_on(subscription),
        expires=local_time(verification.code_expires_at.seconds, zone),
        resend_at=local_time(verification.resend_available_at.seconds, zone),
        resend_waits=verification.resend_available_at.seconds > now,
        notice=notice,
        path=path,
    )


async def code(request: Request) -> Response:
    """The code texted to the number; entering it agrees to the consent words shown with it.
    A first setup ends on "setup complete"; a change of number back on My Account."""
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    notice = NOTICES.get(request.query_params.get("notice", ""), lambda: "")()
    if request.method == "GET":
        return await code_page(request, resident, Form(CODE), notice)
    form = await submitted(request, CODE)
    facility_id, resident_id = resident["facility_id"], resident["resident_id"]
    changing = is_on(await subscription_of(request, facility_id, resident_id))
    confirming = pb.ConfirmVerificationRequest(
        facility_id=facility_id, resident_id=resident_id, code=form.values["code"].replace(" ", "")
    )
    try:
        if not form.missing({"code": "code_missing"}):
            sms = services(request).sms
            await call_signed_in(request, sms.ConfirmVerification, confirming)
            if changing:
                return with_notice("/account", "sms_number_changed")
            return see_other(sms_path(facility_id, resident_id, "done"))
    except Refusal as refusal:
        if refusal.code == "phone_number_unreachable":
            pending = await subscription_of(request, facility_id, resident_id)
            typed = pending.pending_verification.phone_number if pending is not None else ""
            return await try_another_number(request, resident, typed)
        if refusal.code not in CODE_REFUSALS:
            raise
        form.refused(Refusal(refusal.code, "code"))
    return await code_page(request, resident, form)


async def resend(request: Request) -> Response:
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    resending = pb.ResendVerificationCodeRequest(
        facility_id=resident["facility_id"], resident_id=resident["resident_id"]
    )
    try:
        await call_signed_in(request, services(request).sms.ResendVerificationCode, resending)
    except Refusal as refusal:
        return await code_page(request, resident, Form(CODE).refused(Refusal(refusal.code)))
    path = sms_path(resident["facility_id"], resident["resident_id"], "code")
    return with_notice(path, "code_sent")


async def done(request: Request) -> Response:
    """Setup complete: on to writing to the resident, or back to the menu (My Account)."""
    params = request.path_params
    resident = await held_resident(request, params["facility_id"], params["resident_id"])
    subscription = await subscription_of(request, resident["facility_id"], resident["resident_id"])
    if not is_on(subscription):
        return see_other(sms_path(resident["facility_id"], resident["resident_id"]))
    return render(
        request,
        "sms_done.html",
        resident=resident,
        subscription=subscription,
        compose=compose_path(resident["facility_id"], resident["resident_id"]),
    )


async def turn_off(request: Request) -> Response:
    params = request.path_params
    facility_id, resident_id = params["facility_id"], params["resident_id"]
    disabling = pb.DisableSmsRequest(facility_id=facility_id, resident_id=resident_id)
    try:
        await call_signed_in(request, services(request).sms.DisableSms, disabling)
    except Refusal as refusal:
        return await settings_page(request, sentence(in_sms_terms(refusal).code), 400)
    return with_notice(sms_path(facility_id, resident_id), "turned_off")


async def history(request: Request) -> Response:
    """The SMS sent to and from the visitor's phone, each listed for 14 days after it was
    received."""
    listing = pb.ListSmsHistoryRequest(page_size=PAGE_SIZE, page_token=page_token(request))
    page = await call_signed_in(request, services(request).sms.ListSmsHistory, listing)
    zone = await visitor_time_zone(request)
    return render(
        request,
        "sms_history.html",
        entries=page.entries,
        next_page_token=page.next_page_token,
        first_page=bool(page_token(request)),
        resident_name=await resident_names(
            request, ((e.facility_id, e.resident_id) for e in page.entries)
        ),
        when=lambda at: local_time(at.seconds, zone),
        status_said=lambda entry: _(STATUSES.get(entry.status, STATUSES[pb.SMS_STATUS_QUEUED])),
        failure_said=lambda entry: (
            _(FAILURE_REASONS.get(entry.failure_reason, ""))
            if entry.failure_reason in FAILURE_REASONS
            else ""
        ),
        to_phone=pb.SMS_DIRECTION_TO_PHONE,
        ucs2=pb.SMS_ENCODING_UCS2,
        dollars=dollars,
    )


routes = [
    Route("/sms", overview),
    Route("/sms/history", history),
    Route("/sms/{facility_id}/{resident_id}", settings),
    Route("/sms/{facility_id}/{resident_id}/number", number, methods=["GET", "POST"]),
    Route("/sms/{facility_id}/{resident_id}/code", code, methods=["GET", "POST"]),
    Route("/sms/{facility_id}/{resident_id}/resend", resend, methods=["POST"]),
    Route("/sms/{facility_id}/{resident_id}/done", done),
    Route("/sms/{facility_id}/{resident_id}/off", turn_off, methods=["POST"]),
]
