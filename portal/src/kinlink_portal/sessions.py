"""The signed-in person: identity's tokens kept in the signed session cookie, the access token
renewed with the refresh token shortly before it expires."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable

from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request

from kinlink_portal.services import Refusal
from kinlink_portal.services import Reply
from kinlink_portal.services import call
from kinlink_portal.services import services

# Renew this long before expiry, so a token does not expire between our check and the call.
RENEW_BEFORE_SECONDS = 60
# Refusals that mean the session is over: the visitor logs in again.
SESSION_OVER = frozenset({"token_missing", "invalid_token", "token_expired", "session_ended"})
STAFF_ROLES = frozenset({"facility_officer", "operator", "auditor"})


class NotSignedIn(Exception):
    """The page needs a signed-in person; the visitor is sent to log in (told their session
    ended, when it did)."""

    def __init__(self, ended: bool = False) -> None:
        super().__init__("ended" if ended else "anonymous")
        self.ended = ended


def start_session(request: Request, session: pb.Session) -> None:
    """A new session: the CSRF token of the anonymous one is not carried over."""
    request.session.clear()
    keep_tokens(request, session)


def keep_tokens(request: Request, session: pb.Session) -> None:
    request.session.update(
        access=session.access_token,
        access_expires=session.access_token_expires_at.seconds,
        refresh=session.refresh_token,
        first_name=session.account.first_name,
        # For choosing pages and links only: each service checks the token's roles itself.
        roles=list(session.account.roles),
        facility_ids=list(session.account.facility_ids),
    )


def end_session(request: Request) -> None:
    request.session.clear()


def signed_in_name(request: Request) -> str | None:
    return request.session.get("first_name") if "access" in request.session else None


def is_staff(request: Request) -> bool:
    """Officers, operators and auditors: they work in the console."""
    return bool(STAFF_ROLES & set(request.session.get("roles", ())))


def require_staff(request: Request) -> None:
    if "access" not in request.session:
        raise NotSignedIn
    if not is_staff(request):
        raise Refusal("role_not_allowed")


async def access_token(request: Request) -> str:
    if "access" not in request.session:
        raise NotSignedIn
    now: float = request.app.state.clock()
    if request.session["access_expires"] - now < RENEW_BEFORE_SECONDS:
        renew = pb.RefreshSessionRequest(refresh_token=request.session["refresh"])
        try:
            renewed = await call(request, services(request).identity.RefreshSession, renew)
        except Refusal as refusal:
            end_session(request)
            raise NotSignedIn(ended=True) from refusal
        keep_tokens(request, renewed)
    token: str = request.session["access"]
    return token


async def call_signed_in(
    request: Request, method: Callable[..., Awaitable[Reply]], message: Message
) -> Reply:
    """Call a service as the signed-in person."""
    try:
        return await call(request, method, message, await access_token(request))
    except Refusal as refusal:
        if refusal.code in SESSION_OVER:
            end_session(request)
            raise NotSignedIn(ended=True) from refusal
        raise
