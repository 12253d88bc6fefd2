"""The help pages: every topic by section, a search over their words, and each answer rendered
from its Markdown, in the visitor's language."""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal import help as topics
from kinlink_portal.i18n import current_language
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_

SECTION_NAMES = {
    "accounts": N_("Your account"),
    "cards": N_("Cards"),
    "deposits": N_("Deposits"),
    "messaging": N_("Messages and photos"),
    "commissary": N_("Commissary"),
    "visits": N_("Video visits"),
    "sms": N_("Text messages"),
    "support": N_("Support"),
}
# A link written as a topic's slug, `[x](add-a-card)`, leads to that topic's page.
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# CommonMark, raw HTML off: an answer can only ever be the Markdown's own elements.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def answer_html(markdown: str) -> Markup:
    tokens = _MARKDOWN.parse(markdown)
    for link in _links(tokens):
        href = str(link.attrGet("href") or "")
        if _SLUG.fullmatch(href):
            link.attrSet("href", f"/help/{href}")
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def _links(tokens: list[Token]) -> list[Token]:
    return [
        child for token in tokens for child in token.children or () if child.type == "link_open"
    ]


def matching(found: list[topics.HelpTopic], query: str) -> list[topics.HelpTopic]:
    """The topics whose title or answer holds every word of `query`, whatever their case and
    accents (families often type "deposito" for "depósito")."""
    words = _folded(query).split()
    return [
        each
        for each in found
        if all(word in _folded(f"{each.title}\n{each.body}") for word in words)
    ]


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


async def help_index(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()
    found = matching(topics.load_topics(current_language()), query)
    sections = [
        (SECTION_NAMES[section], [each for each in found if each.section == section])
        for section in topics.SECTIONS
    ]
    return render(
        request,
        "help.html",
        query=query,
        found=len(found),
        sections=[(name, listed) for name, listed in sections if listed],
    )


async def help_topic(request: Request) -> Response:
    try:
        shown = topics.topic(current_language(), request.path_params["slug"])
    except topics.TopicNotFound:
        raise HTTPException(404) from None
    return render(
        request,
        "help_topic.html",
        topic=shown,
        section=SECTION_NAMES[shown.section],
        answer=answer_html(shown.body),
    )


routes = [Route("/help", help_index), Route("/help/{slug}", help_topic)]
