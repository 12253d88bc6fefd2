"""LiveKit's webhook: the server posts what happens in the visits' rooms (participants joining
and leaving, rooms finishing). A small ASGI app, served beside the gRPC API by the kit's
`WebhookServer`.

Every request must carry in `Authorization` a token signed with the API key's secret that
names the body's SHA-256, as LiveKit signs them; `livekit.api.WebhookReceiver` checks both.
Anything else is refused with 403, logged and counted, and never reaches a visit: a forged
"joined" would start charging a family, a forged "left" would credit minutes.

A verified event about a visit's room becomes a `RoomReport` given to `report`, a synchronous
use case run in a worker thread; the other events (tracks, a room starting) are acknowledged
and dropped. A handler that cannot reach what it needs (`Unavailable`) gets a 503, and LiveKit
tries again; one refusing what it was given (another `ClientError`) a 400.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

import jwt
from google.protobuf.json_format import ParseError
from kinlink_kit.application import utc_now
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import VIDEO_WEBHOOKS
from kinlink_kit.webhook_server import Refused
from kinlink_kit.webhook_server import WebhookServer
from kinlink_kit.webhook_server import bounded_body
from livekit import api
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_visitation.adapters.livekit_rooms import room_report
from kinlink_visitation.adapters.livekit_settings import LIVEKIT_WEBHOOK_ROUTE
from kinlink_visitation.adapters.livekit_settings import LiveKitSettings
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.video import VideoRooms

log = get_logger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a room event is a few kilobytes
Report = Callable[[RoomReport], None]


class _Verifier:
    def __init__(self, api_key: str, api_secret: str) -> None:
        self._receiver = api.WebhookReceiver(api.TokenVerifier(api_key, api_secret))

    async def event(self, request: Request) -> api.WebhookEvent:
        """The request's event once its signature and body hash hold; else `Refused`."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        body = await bounded_body(request, MAX_BODY_BYTES)
        if not token:
            raise Refused("unsigned")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("unreadable") from None
        try:
            return self._receiver.receive(text, token)
        except jwt.PyJWTError:
            raise Refused("signature_mismatch") from None
        except ParseError:  # signed by the server, yet not a webhook event
            raise Refused("malformed", 400) from None
        except Exception:  # the receiver's own: no body hash in the token, or another body's
            raise Refused("body_hash_mismatch") from None


def create_video_webhook(
    report: Report, api_key: str, api_secret: str, clock: Callable[[], datetime] = utc_now
) -> Starlette:
    """The webhook app; `clock` tells when each event reached it."""
    verifier = _Verifier(api_key, api_secret)

    async def endpoint(request: Request) -> Response:
        try:
            event = await verifier.event(request)
            change = room_report(event, clock())
            if change is None:
                return _counted("ignored", Response(status_code=204))
            await asyncio.to_thread(report, change)
        except Refused as refused:
            client = request.client.host if request.client else None
            log.warning("video webhook refused", reason=refused.reason, client=client)
            return _counted(refused.reason, Response(status_code=refused.status_code))
        except Unavailable as unavailable:
            log.warning("video webhook handler unavailable", code=unavailable.code)
            return _counted("unavailable", Response(status_code=503))
        except ClientError as refusal:
            log.warning("video webhook handler refused", code=refusal.code)
            return _counted("rejected", Response(status_code=400))
        except Exception:
            log.exception("video webhook handler failed")
            return _counted("failed", Response(status_code=500))
        return _counted("accepted", Response(status_code=204))

    return Starlette(routes=[Route(LIVEKIT_WEBHOOK_ROUTE, endpoint, methods=["POST"])])


def _counted(outcome: str, response: Response) -> Response:
    VIDEO_WEBHOOKS.labels(outcome).inc()
    return response


def video_report_jobs(
    settings: LiveKitSettings, grace_seconds: float, rooms: VideoRooms, report: Report
) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """The background jobs through which the provider's reports reach `report`: the webhook
    LiveKit's server posts to (its requests in flight given `grace_seconds` at shutdown);
    without one, the simulated provider's own reports, or none for a provider of the
    caller's (tests)."""
    server = settings.livekit_server()
    if server is not None:
        app = create_video_webhook(report, server.api_key, server.api_secret)
        host, port = settings.video_webhook_host, settings.video_webhook_port
        return [WebhookServer(app, host, port, grace_seconds).run]
    if isinstance(rooms, SimulatedRooms):
        return [rooms.reporting(report)]
    return []
