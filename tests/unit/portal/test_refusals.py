"""A service's refusal is shown as a sentence next to the field at fault, in the visitor's
language; an unexpected failure shows a reference code that is also in the logs."""

from __future__ import annotations

import re

import pytest
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unauthenticated
from kinlink_portal.forms import Form
from kinlink_portal.services import Failure
from kinlink_portal.services import Refusal
from kinlink_portal.services import answer_of
from prometheus_client import REGISTRY
from starlette.testclient import TestClient
from structlog.testing import capture_logs

from tests.unit.portal.conftest import SIGN_UP
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import internal_failure
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal


def error_beside(page: str, field: str) -> str:
    """The error text shown for `field`, checking the input points at it for screen readers."""
    error = re.search(
        rf'<p class="field-error" id="{re.escape(field)}-error">(.*?)</p>', page, re.S
    )
    assert error, f"no error shown beside {field}"
    control = re.search(rf'<(?:input|select) id="{re.escape(field)}"[^>]*>', page)
    assert control, f"no input {field}"
    assert f"{field}-error" in control.group(0) and 'aria-invalid="true"' in control.group(0)
    return re.sub(r"<[^>]+>", "", error.group(1)).strip()


def test_the_services_code_and_field_are_read_from_the_status() -> None:
    answer = answer_of(refusal(InvalidArgument("password_too_weak", "short", field="password")))
    assert isinstance(answer, Refusal)
    assert (answer.code, answer.field) == ("password_too_weak", "password")
    without_field = answer_of(refusal(Unauthenticated("invalid_credentials", "no")))
    assert isinstance(without_field, Refusal)
    assert (without_field.code, without_field.field) == ("invalid_credentials", "")


def test_an_internal_error_is_a_failure_with_a_logged_reference() -> None:
    with capture_logs() as logged:
        answer = answer_of(internal_failure())
    assert isinstance(answer, Failure) and not answer.unavailable
    assert re.fullmatch(r"[0-9A-F]{8}", answer.reference)
    assert [line["reference"] for line in logged] == [answer.reference]
    assert "SERVICE1" in logged[0]["details"]  # the service's own reference, to follow it there


@pytest.mark.parametrize(
    ("service_field", "place"),
    [
        ("password", "password"),
        ("address.city", "address.city"),
        ("address.unknown_part", "address"),
        ("address", "address"),
        ("token", ""),
        ("", ""),
    ],
)
def test_a_refusal_is_placed_at_its_field_or_its_group_or_the_form(
    service_field: str, place: str
) -> None:
    form = Form(("password", "address", "address.city"))
    assert form.place_of(service_field) == place


@pytest.mark.parametrize(
    ("refused", "field", "language", "said"),
    [
        (
            InvalidArgument("password_too_weak", "Needs 10 characters.", field="password"),
            "password",
            "en",
            "Choose a password of at least 10 characters.",
        ),
        (
            AlreadyExists("email_taken", "An account uses this email.", field="email"),
            "email",
            "es",
            "Ya hay una cuenta con este correo electrónico. Inicie sesión o restablezca su "
            "contraseña si la olvidó.",
        ),
        (
            InvalidArgument("something_new", "A rule added later.", field="phone"),
            "phone",
            "en",
            "We could not accept this. Check what you entered and try again.",
        ),
    ],
)
def test_a_refusal_is_said_next_to_its_field_in_the_visitors_language(
    portal: TestClient,
    identity: StandInIdentity,
    refused: ClientError,
    field: str,
    language: str,
    said: str,
) -> None:
    identity.answers["Register"] = refusal(refused)
    portal.headers["accept-language"] = language
    answer = post_form(portal, "/sign-up", SIGN_UP)
    assert answer.status_code == 400
    assert error_beside(answer.text, field).endswith(f" {said}")
    # What was typed stays, except the password.
    assert 'value="ana@example.com"' in answer.text and 'value="short"' not in answer.text


def test_the_problems_are_listed_first_with_links_to_their_fields(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["Register"] = refusal(
        InvalidArgument("phone_invalid", "Give the phone as +1...", field="phone")
    )
    answer = post_form(portal, "/sign-up", SIGN_UP)
    summary = re.search(r"data-error-summary>(.*?)</div>", answer.text, re.S)
    assert summary, "no list of problems"
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1))
    assert links == [("phone", "Enter a phone number with its country code, like +13125550100.")]
    assert answer.text.index("data-error-summary") < answer.text.index('id="email"')


def test_every_empty_field_is_named_at_once_without_asking_identity(
    portal: TestClient, identity: StandInIdentity
) -> None:
    empty = dict.fromkeys(SIGN_UP, "") | {"email": "ana@example.com", "phone": " "}
    answer = post_form(portal, "/sign-up", empty)
    assert answer.status_code == 400
    assert "Register" not in [call[0] for call in identity.calls]
    said = {field: error_beside(answer.text, field) for field in ("password", "phone")}
    assert said == {
        "password": "Error: Enter your password.",
        "phone": "Error: Enter your phone number.",
    }
    for field in ("first_name", "last_name", "address.line1", "address.city", "time_zone"):
        assert error_beside(answer.text, field).startswith("Error: "), field
    assert 'id="email-error"' not in answer.text and 'id="address.line2-error"' not in answer.text


def test_refusals_shown_are_counted_by_code(portal: TestClient, identity: StandInIdentity) -> None:
    def shown(code: str) -> float:
        return REGISTRY.get_sample_value("kinlink_refusals_shown_total", {"code": code}) or 0.0

    identity.answers["Register"] = refusal(
        AlreadyExists("email_taken", "An account uses this email.", field="email")
    )
    before = shown("email_taken")
    post_form(portal, "/sign-up", SIGN_UP)
    assert shown("email_taken") == before + 1


def test_an_address_refusal_is_shown_at_the_address(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["Register"] = refusal(
        InvalidArgument("address_incomplete", "The address needs: city.", field="address")
    )
    answer = post_form(portal, "/sign-up", SIGN_UP)
    assert 'aria-describedby="address-error"' in answer.text
    assert "Enter your full address" in answer.text


def test_an_unexpected_failure_shows_the_reference_support_can_find(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["Register"] = internal_failure()
    with capture_logs() as logged:
        answer = post_form(portal, "/sign-up", SIGN_UP)
    assert answer.status_code == 500
    shown = re.search(r'<strong class="reference">([0-9A-F]{8})</strong>', answer.text)
    assert shown, "no reference code on the page"
    assert shown.group(1) in [line.get("reference") for line in logged]


def test_a_bug_in_a_page_shows_a_reference_and_logs_its_traceback(portal: TestClient) -> None:
    # The stand-in identity has no answer for Register: calling it raises NotImplementedError.
    with capture_logs() as logged:
        answer = post_form(portal, "/sign-up", SIGN_UP)
    assert answer.status_code == 500
    assert "content-security-policy" in answer.headers
    shown = re.search(r'<strong class="reference">([0-9A-F]{8})</strong>', answer.text)
    assert shown, "no reference code on the page"
    (line,) = [line for line in logged if line.get("reference") == shown.group(1)]
    assert isinstance(line["exc_info"], NotImplementedError)


def test_a_log_in_refusal_is_said_at_the_top_of_the_form(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["LogIn"] = refusal(Unauthenticated("invalid_credentials", "Wrong."))
    answer = post_form(portal, "/log-in", {"email": "a@example.com", "password": "a-password"})
    assert answer.status_code == 400
    top = re.search(r'id="form-error"[^>]*>.*?<p>(.*?)</p>', answer.text, re.S)
    assert top and top.group(1).startswith("The email address or the password is not right.")
