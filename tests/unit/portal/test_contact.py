"""The Contact page: the support address from the settings, the reference code explained, in
English and Spanish, reached from every page's footer and from the help topic that sends
families to it."""

from __future__ import annotations

import pytest
from kinlink_portal.app import create_app
from kinlink_portal.help import topic
from kinlink_portal.pages.help_pages import answer_html
from pydantic import ValidationError
from starlette.testclient import TestClient

from tests.unit.portal.conftest import portal_settings


def test_the_contact_page_gives_the_support_address_and_explains_the_reference_code(
    portal: TestClient,
) -> None:
    page = portal.get("/contact")
    assert page.status_code == 200
    assert '<a class="support-email" href="mailto:support@kinlink.example">' in page.text
    assert "shows a reference code. Quote it in your email" in page.text
    assert '<a href="/help/contact-support">' in page.text


def test_the_contact_page_in_spanish(portal: TestClient) -> None:
    page = portal.get("/contact", headers={"accept-language": "es"}).text
    assert "<h1>Comunicarse con soporte</h1>" in page
    assert "muestra un código de referencia" in page
    assert 'href="mailto:support@kinlink.example"' in page


def test_the_support_address_is_a_setting() -> None:
    app = create_app(portal_settings(support_email="help@county.example"))
    with TestClient(app) as client:
        page = client.get("/contact").text
    assert 'href="mailto:help@county.example">help@county.example</a>' in page
    assert "support@kinlink.example" not in page


@pytest.mark.parametrize("address", ["", "support", "two@at@example.com", "a b@example.com"])
def test_a_support_address_that_is_not_one_stops_the_portal(address: str) -> None:
    with pytest.raises(ValidationError, match="support_email"):
        portal_settings(support_email=address)


@pytest.mark.parametrize("path", ["/", "/log-in", "/help", "/contact", "/no-such-page"])
def test_every_page_links_to_the_contact_page(portal: TestClient, path: str) -> None:
    assert '<a href="/contact">Contact support</a>' in portal.get(path).text


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_help_topic_on_contacting_support_links_to_the_contact_page(language: str) -> None:
    assert 'href="/contact"' in answer_html(topic(language, "contact-support").body)
