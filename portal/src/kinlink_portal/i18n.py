"""English and Spanish: the language a page is shown in, and the translation of its sentences.

Sentences are written in English in the code and templates; the Spanish ones are in a gettext
catalog (locale/es/LC_MESSAGES/messages.po) read once at start, so there is no compile step.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "kinlink_language"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> NullTranslations:
    catalog_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not catalog_file.exists():
        return NullTranslations()  # English: the sentences as written
    with catalog_file.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def use_language(language: str) -> None:
    """The language of everything said while handling the current request."""
    _current.set(language)


def current_language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def chosen_language(request: Request) -> str:
    """The language the visitor switched to (remembered in a cookie), else the first one their
    browser asks for that we speak, else English."""
    switched = request.cookies.get(LANGUAGE_COOKIE, "")
    if switched in LANGUAGES:
        return switched
    for language in accepted_languages(request.headers.get("accept-language", "")):
        primary = language.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def accepted_languages(header: str) -> list[str]:
    """An Accept-Language header's languages, most wanted first (q=0 means not wanted)."""
    weighted = []
    for position, item in enumerate(header.split(",")):
        language, _, parameters = item.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if language and quality > 0:
            weighted.append((-quality, position, language.strip()))
    return [language for _, _, language in sorted(weighted)]
