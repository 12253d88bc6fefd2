"""The portal in a TestClient, its services replaced by stand-ins that answer as the real ones
do over gRPC (refusals encoded by the kit's own error mapping)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_status import rpc_status
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.errors import ClientError
from kinlink_kit.grpc_server import client_error_status
from kinlink_kit.grpc_server import internal_error_status
from kinlink_portal.app import create_app
from kinlink_portal.settings import PortalSettings
from starlette.testclient import TestClient

from tests.portal_web import csrf_of

COOKIE_SECRET = "a test secret that is long enough to sign"
# A sign-up form filled in as a family member would (the password too short for identity).
SIGN_UP = {
    "email": "ana@example.com",
    "password": "short",
    "first_name": "Ana",
    "last_name": "Lopez",
    "address.line1": "1 Main St",
    "address.city": "Chicago",
    "address.region": "IL",
    "address.postal_code": "60601",
    "address.country": "US",
    "phone": "+13125550100",
    "time_zone": "America/Chicago",
}


def rpc_error(status: Any) -> grpc.aio.AioRpcError:
    """The error a gRPC client raises for `status` (a google.rpc.Status)."""
    as_grpc = rpc_status.to_status(status)
    return grpc.aio.AioRpcError(
        as_grpc.code,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(*as_grpc.trailing_metadata),
        as_grpc.details,
    )


def refusal(error: ClientError) -> grpc.aio.AioRpcError:
    return rpc_error(client_error_status(error))


def internal_failure() -> grpc.aio.AioRpcError:
    return rpc_error(internal_error_status("SERVICE1"))


@dataclass
class StandInIdentity:
    """Answers each method with what `answers` holds for it: a reply, or an error to raise (a
    method without an answer raises NotImplementedError, as a bug would)."""

    answers: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, Any, Any]] = field(default_factory=list)

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        async def answer(request: Any, timeout: float, metadata: Any) -> Any:
            self.calls.append((method, request, metadata))
            if method not in self.answers:
                raise NotImplementedError(method)
            reply = self.answers[method]
            if isinstance(reply, Exception):
                raise reply
            return reply

        return answer


@dataclass
class StandInServices:
    identity: StandInIdentity
    timeout: float = 1.0
    # The ledger answers as identity's stand-in does: what `answers` holds for each method.
    ledger: StandInIdentity = field(default_factory=StandInIdentity)
    # Messaging answers the same way.
    messaging: StandInIdentity = field(default_factory=StandInIdentity)
    # And the SMS gateway.
    sms: StandInIdentity = field(default_factory=StandInIdentity)
    # And the commissary.
    commissary: StandInIdentity = field(default_factory=StandInIdentity)
    # And visitation.
    visitation: StandInIdentity = field(default_factory=StandInIdentity)


@pytest.fixture
def identity() -> StandInIdentity:
    # The sign-up page lists the facilities: none, unless a test says otherwise.
    return StandInIdentity({"ListFacilities": pb.ListFacilitiesResponse()})


def portal_settings(**changes: Any) -> PortalSettings:
    return PortalSettings(cookie_secret=COOKIE_SECRET, **changes)


@pytest.fixture
def portal(identity: StandInIdentity) -> Iterator[TestClient]:
    """The portal as served over HTTPS (secure cookies), calling the stand-in identity."""
    app = create_app(portal_settings(secure_cookies=True))
    with TestClient(app, base_url="https://portal.test") as client:
        app.state.services = StandInServices(identity)
        yield client


def post_form(client: TestClient, path: str, data: dict[str, str]) -> Any:
    """Open the form's page, then post `data` with the page's CSRF token, as a browser does."""
    token = csrf_of(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


# The stand-in clock of a signed-in staff member's portal: their access token is still valid.
STAFF_CLOCK = 1_800_000_000


def staff_portal(identity: StandInIdentity, account: pb.Account) -> Iterator[TestClient]:
    """The portal where `account` (roles, facilities) has logged in."""
    app = create_app(portal_settings(secure_cookies=False), clock=lambda: STAFF_CLOCK)
    with TestClient(app) as client:
        app.state.services = StandInServices(identity)
        identity.answers["LogIn"] = pb.Session(
            access_token="access",
            access_token_expires_at=Timestamp(seconds=STAFF_CLOCK + 900),
            refresh_token="refresh",
            account=account,
        )
        post_form(client, "/log-in", {"email": "staff@example.com", "password": "a-password"})
        yield client


def error_beside(page: str, field: str) -> str:
    """The sentence the page says beside the input `field` (without "Error:")."""
    start = page.index(f'id="{field}-error"')
    said = page[page.index("</span>", start) + len("</span>") : page.index("</p>", start)]
    return html.unescape(said)
