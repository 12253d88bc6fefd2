"""Every page carries the security headers and a strict CSP; every form post needs the
session's CSRF token; the cookies are HttpOnly, SameSite=Lax and Secure outside the embedded
mode, and hold no password."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_portal.app import SESSION_COOKIE
from kinlink_portal.app import create_app
from kinlink_portal.i18n import LANGUAGE_COOKIE
from kinlink_portal.settings import PortalSettings
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import COOKIE_SECRET
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import portal_settings
from tests.unit.portal.conftest import post_form

PAGES = ["/", "/sign-up", "/log-in", "/forgot-password", "/activate?token=t", "/no-such-page"]


def cookie_attributes(set_cookie: str) -> dict[str, str | bool]:
    parsed = SimpleCookie()
    parsed.load(set_cookie)
    (morsel,) = parsed.values()
    return {key: value for key, value in morsel.items() if value}


def test_every_page_forbids_inline_script_and_style_and_framing(portal: TestClient) -> None:
    for path in PAGES:
        headers = portal.get(path).headers
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in headers["content-security-policy"].split(";")
        )
        assert policy["default-src"] == "'self'", path
        assert policy["script-src"] == "'self'", path
        assert policy["style-src"] == "'self'", path
        assert policy["frame-ancestors"] == "'none'", path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert "max-age" in headers["strict-transport-security"]


def test_pages_have_no_inline_script_or_style(portal: TestClient) -> None:
    for path in PAGES:
        page = portal.get(path).text
        scripts = re.findall(r"<script[^>]*>", page)
        assert scripts and all(re.search(r' src="/static/[^"]+"', tag) for tag in scripts), path
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"<[^>]+\son[a-z]+=", page), f"{path} has an inline handler"


def test_a_form_posted_without_the_sessions_token_is_refused(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["LogIn"] = pb.Session(access_token="a", refresh_token="r")
    portal.get("/log-in")  # the session and its token exist; the attacker does not know it
    for token in (None, "forged"):
        data = {"email": "a@example.com", "password": "whatever-password"}
        if token:
            data["csrf_token"] = token
        refused = portal.post("/log-in", data=data, follow_redirects=False)
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    assert identity.calls == []


def test_a_form_posted_with_the_sessions_token_is_handled(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["LogIn"] = pb.Session(
        access_token="access", refresh_token="refresh", account=pb.Account(first_name="Ana")
    )
    answer = post_form(portal, "/log-in", {"email": "a@example.com", "password": "a-password"})
    assert answer.status_code == 303 and answer.headers["location"] == "/account"
    assert [method for method, _, _ in identity.calls] == ["LogIn"]


def test_logging_in_starts_a_new_session_with_a_new_csrf_token(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["LogIn"] = pb.Session(access_token="access", refresh_token="refresh")
    before = csrf_of(portal.get("/log-in").text)
    post_form(portal, "/log-in", {"email": "a@example.com", "password": "a-password"})
    assert csrf_of(portal.get("/").text) != before


def test_cookies_are_http_only_lax_and_secure_and_hold_no_password(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["LogIn"] = pb.Session(access_token="access", refresh_token="refresh")
    answer = post_form(portal, "/log-in", {"email": "a@example.com", "password": "secret-words"})
    session = cookie_attributes(answer.headers["set-cookie"])
    assert session["httponly"] and session["secure"]
    assert str(session["samesite"]).lower() == "lax"
    assert "secret-words" not in answer.headers["set-cookie"]
    token = csrf_of(portal.get("/").text)
    switched = portal.post(
        "/language",
        data={"language": "es", "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    language = cookie_attributes(switched.headers["set-cookie"])
    assert language["httponly"] and language["secure"]
    assert SESSION_COOKIE != LANGUAGE_COOKIE


def test_the_embedded_mode_sends_cookies_over_plain_http() -> None:
    app = create_app(portal_settings(secure_cookies=False))
    with TestClient(app) as client:
        answer = client.get("/log-in")
    assert "secure" not in cookie_attributes(answer.headers["set-cookie"])
    assert "strict-transport-security" not in answer.headers


def test_a_portal_without_a_cookie_secret_does_not_start() -> None:
    for secret in ("", "short"):
        try:
            create_app(PortalSettings(cookie_secret=secret))
        except ValueError as refusal:
            assert "KINLINK_COOKIE_SECRET" in str(refusal)
        else:
            raise AssertionError(f"started with the cookie secret {secret!r}")
    assert create_app(PortalSettings(cookie_secret=COOKIE_SECRET))


def test_after_log_in_only_a_path_of_this_site_is_followed(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["LogIn"] = pb.Session(access_token="access", refresh_token="refresh")
    for wanted, followed in [
        ("/account/edit", "/account/edit"),
        ("//evil.example/", "/account"),
        ("https://evil.example/", "/account"),
    ]:
        answer = post_form(
            portal, "/log-in", {"email": "a@example.com", "password": "a-password", "next": wanted}
        )
        assert answer.headers["location"] == followed


def test_only_the_video_pages_may_use_the_camera_and_microphone(portal: TestClient) -> None:
    for path in PAGES:
        assert "camera=()" in portal.get(path).headers["permissions-policy"], path
    video_test = portal.get("/visits/video-test")
    assert video_test.status_code == 200
    policy = video_test.headers["permissions-policy"]
    assert "camera=(self)" in policy and "microphone=(self)" in policy
    # The rest of the page's protection is every page's.
    assert "frame-ancestors 'none'" in video_test.headers["content-security-policy"]
