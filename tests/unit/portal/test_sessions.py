"""The signed-in session: renewed with the refresh token before the access token expires, ended
when identity ends it; log-in and sign-up forms limited per client address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unauthenticated
from kinlink_portal.app import create_app
from kinlink_portal.limits import AttemptLimit
from kinlink_portal.services import Refusal
from starlette.testclient import TestClient

from tests.unit.portal.conftest import SIGN_UP
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import StandInServices
from tests.unit.portal.conftest import portal_settings
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal

NOW = 1_800_000_000.0
ACCOUNT = pb.Account(first_name="Ana", last_name="Lopez", email="ana@example.com")


def session(access: str, expires_at: float) -> pb.Session:
    return pb.Session(
        access_token=access,
        access_token_expires_at=Timestamp(seconds=int(expires_at)),
        refresh_token=f"refresh-{access}",
        account=ACCOUNT,
    )


@pytest.fixture
def clock() -> list[float]:
    return [NOW]


@pytest.fixture
def signed_in(identity: StandInIdentity, clock: list[float]) -> Iterator[TestClient]:
    """A portal whose clock the test moves, where Ana has logged in (access token for 900 s)."""
    app = create_app(portal_settings(secure_cookies=False), clock=lambda: clock[0])
    with TestClient(app) as client:
        app.state.services = StandInServices(identity)
        identity.answers["LogIn"] = session("first", NOW + 900)
        post_form(client, "/log-in", {"email": "ana@example.com", "password": "a-password"})
        yield client


def bearer_of(call: tuple[str, object, object]) -> str:
    metadata = dict(call[2])  # type: ignore[call-overload]
    return str(metadata["authorization"])


def test_the_access_token_is_renewed_shortly_before_it_expires(
    signed_in: TestClient, identity: StandInIdentity, clock: list[float]
) -> None:
    portal = signed_in
    identity.answers["GetAccount"] = ACCOUNT
    identity.answers["RefreshSession"] = session("second", NOW + 1800)
    assert portal.get("/account").status_code == 200
    clock[0] = NOW + 899  # one second before it expires
    assert portal.get("/account").status_code == 200
    calls = [call for call in identity.calls if call[0] != "LogIn"]
    assert [call[0] for call in calls] == ["GetAccount", "RefreshSession", "GetAccount"]
    assert calls[1][1].refresh_token == "refresh-first"  # type: ignore[attr-defined]
    assert bearer_of(calls[0]) == "Bearer first" and bearer_of(calls[2]) == "Bearer second"


def test_a_session_identity_ended_sends_the_visitor_to_log_in(
    signed_in: TestClient, identity: StandInIdentity
) -> None:
    portal = signed_in
    identity.answers["GetAccount"] = refusal(Unauthenticated("session_ended", "Ended."))
    answer = portal.get("/account", follow_redirects=False)
    assert answer.headers["location"] == "/log-in?next=%2Faccount&notice=session_ended"
    identity.answers["GetAccount"] = ACCOUNT
    again = portal.get("/account", follow_redirects=False)
    assert again.headers["location"] == "/log-in?next=%2Faccount"  # the session is forgotten


def test_a_visitor_who_never_logged_in_is_asked_to(portal: TestClient) -> None:
    answer = portal.get("/account/edit", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/log-in?next=%2Faccount%2Fedit"


@pytest.mark.parametrize(
    ("path", "setting", "method", "form"),
    [
        (
            "/log-in",
            "log_in_attempts_per_address",
            "LogIn",
            {"email": "ana@example.com", "password": "wrong-password"},
        ),
        ("/sign-up", "sign_ups_per_address", "Register", SIGN_UP),
    ],
)
def test_forms_past_their_limit_are_refused_without_asking_identity(
    identity: StandInIdentity, path: str, setting: str, method: str, form: dict[str, str]
) -> None:
    app = create_app(portal_settings(**{setting: 2}))
    with TestClient(app, base_url="https://portal.test") as portal:
        app.state.services = StandInServices(identity)
        identity.answers[method] = refusal(InvalidArgument("email_invalid", "No.", field="email"))
        answers = [post_form(portal, path, form) for _ in range(3)]
    said = ["Enter an email address like" in answer.text for answer in answers]
    assert said == [True, True, False]
    assert "Too many attempts" in answers[2].text
    assert [call[0] for call in identity.calls].count(method) == 2


def test_an_attempt_limit_forgets_attempts_older_than_its_window() -> None:
    now = [0.0]
    limit = AttemptLimit(2, window_seconds=60, clock=lambda: now[0])
    limit.check("198.51.100.7")
    limit.check("198.51.100.7")
    limit.check("203.0.113.9")  # another address has its own count
    try:
        limit.check("198.51.100.7")
    except Refusal as refused:
        assert refused.code == "too_many_attempts"
    else:
        raise AssertionError("a third attempt within the window was accepted")
    now[0] = 60.0
    limit.check("198.51.100.7")
