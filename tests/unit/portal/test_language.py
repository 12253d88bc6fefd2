"""English or Spanish: the browser's Accept-Language, or the visitor's switch (remembered);
every English sentence of the portal has its Spanish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from kinlink_portal.i18n import LOCALE_DIR
from kinlink_portal.i18n import accepted_languages
from kinlink_portal.i18n import translations
from starlette.testclient import TestClient

from tests.portal_web import csrf_of

PORTAL = Path(LOCALE_DIR).parents[2]  # portal/


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([a-z]+)">', page)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "en"),
        ("es", "es"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("fr-FR,de;q=0.9", "en"),
        ("en;q=0.2,es;q=0.7", "es"),
        ("es;q=0,en", "en"),
    ],
)
def test_the_page_is_in_the_browsers_language(
    portal: TestClient, header: str, language: str
) -> None:
    page = portal.get("/log-in", headers={"accept-language": header}).text
    assert html_lang(page) == language
    assert ("Iniciar sesión" in page) == (language == "es")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/activate?token=t", "Active su cuenta"),
        ("/reset-password?token=t", "Elija una nueva contraseña"),
        ("/confirm-email?token=t", "Confirme su nuevo correo electrónico"),
        ("/reactivate?token=t", "Reactive su cuenta"),
    ],
)
def test_the_pages_emailed_links_open_speak_spanish(
    portal: TestClient, path: str, heading: str
) -> None:
    page = portal.get(path, headers={"accept-language": "es"}).text
    assert f"<h1>{heading}</h1>" in page


def test_accepted_languages_are_ordered_by_quality() -> None:
    assert accepted_languages("en;q=0.5, es-MX, fr;q=0.7, de;q=0") == ["es-MX", "fr", "en"]
    assert accepted_languages("es;q=nonsense, en") == ["en"]


def test_the_switch_is_remembered_over_the_browsers_language(portal: TestClient) -> None:
    spanish_browser = {"accept-language": "es"}
    page = portal.get("/sign-up", headers=spanish_browser).text
    switched = portal.post(
        "/language",
        data={"language": "en", "next": "/sign-up", "csrf_token": csrf_of(page)},
        headers=spanish_browser,
        follow_redirects=False,
    )
    assert switched.headers["location"] == "/sign-up"
    assert html_lang(portal.get("/sign-up", headers=spanish_browser).text) == "en"


def test_the_switch_goes_back_only_to_a_page_of_this_site(portal: TestClient) -> None:
    token = csrf_of(portal.get("/").text)
    switched = portal.post(
        "/language",
        data={"language": "es", "next": "https://evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert switched.headers["location"] == "/"


def test_every_sentence_of_the_portal_has_its_spanish() -> None:
    method_map, options_map = parse_mapping_cfg((PORTAL / "babel.cfg").open())
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    source = PORTAL / "src" / "kinlink_portal"
    sentences = {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(
            source, method_map, options_map, keywords=keywords
        )
    }
    assert len(sentences) > 50  # the extraction found the templates too
    spanish = translations("es")

    def untranslated(sentence: str | tuple[str, ...]) -> bool:
        if isinstance(sentence, str):
            return spanish.gettext(sentence) == sentence and sentence != "Error:"
        singular, plural = sentence[:2]
        return spanish.ngettext(singular, plural, 2) == plural

    assert sorted(map(str, filter(untranslated, sentences))) == []
