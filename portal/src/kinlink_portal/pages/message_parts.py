"""What the pages of messages share: a message's status in words, refusals about photos placed
on the photo input, and residents named as identity finds them."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from kinlink.messaging.v1 import messaging_pb2 as pb
from starlette.requests import Request

from kinlink_portal.i18n import gettext as _
from kinlink_portal.pages.deposits import held_resident
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal

PAGE_SIZE = 20
STATUSES = {
    pb.MESSAGE_STATUS_PENDING_REVIEW: N_("Pending review"),
    pb.MESSAGE_STATUS_APPROVED: N_("Approved"),
    pb.MESSAGE_STATUS_REJECTED: N_("Rejected"),
    pb.MESSAGE_STATUS_DELIVERED: N_("Delivered"),
    pb.MESSAGE_STATUS_READ: N_("Read"),
    pb.MESSAGE_STATUS_EXPIRED: N_("Expired"),
}
# A message the service has not placed yet (none is listed so).
SENDING = N_("Sending")
# A photo's refusal is said beside the photo input, whichever photo the service names.
IMAGES = "images"
IMAGE_CODES = frozenset({"too_many_images", "image_gone"})


def status_said(message: pb.Message) -> str:
    """Its status in words; a rejected message says the officer's reason."""
    said = _(STATUSES.get(message.status, SENDING))
    if message.status == pb.MESSAGE_STATUS_REJECTED and message.rejection_reason:
        return f"{said}: {message.rejection_reason}"  # the same punctuation in both languages
    return said


def placed(refusal: Refusal) -> Refusal:
    """A refusal about one of the photos, placed on the photo input."""
    if refusal.code.startswith("image_") or refusal.code in IMAGE_CODES:
        return Refusal(refusal.code, IMAGES)
    return refusal


def page_token(request: Request) -> str:
    return request.query_params.get("page", "")


async def resident_names(
    request: Request, residents: Iterable[tuple[str, str]]
) -> Callable[[str, str], str]:
    """Names the (facility id, resident id) pairs as identity finds them now, e.g. "Ada Lovelace
    (R-1001)"; one released or moved since keeps their id alone."""
    pairs = list(dict.fromkeys(residents))

    async def named(facility_id: str, resident_id: str) -> str:
        try:
            found = await held_resident(request, facility_id, resident_id)
        except Refusal:
            return resident_id
        return f"{found['name']} ({resident_id})"

    # One after another: a renewal of the visitor's session must not race another.
    names = {pair: await named(*pair) for pair in pairs}
    return lambda facility_id, resident_id: names.get((facility_id, resident_id), resident_id)
