"""The help pages: the index by section with a search over the topics' words, each answer
rendered from its Markdown (no raw HTML, links between topics kept on /help), in the visitor's
language, and reachable from every page."""

from __future__ import annotations

import re

import pytest
from kinlink_portal.help import SECTIONS
from kinlink_portal.help import HelpTopic
from kinlink_portal.help import load_topics
from kinlink_portal.pages.help_pages import SECTION_NAMES
from kinlink_portal.pages.help_pages import answer_html
from kinlink_portal.pages.help_pages import matching
from markupsafe import escape
from starlette.testclient import TestClient

SPANISH = {"accept-language": "es"}


def topic_links(page: str) -> list[str]:
    return re.findall(r'<a href="/help/([a-z0-9-]+)">', page)


def headings(page: str, level: int) -> list[str]:
    return re.findall(rf"<h{level}[^>]*>([^<]*)</h{level}>", page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_index_lists_every_topic_by_section_in_order(portal: TestClient, language: str) -> None:
    page = portal.get("/help", headers={"accept-language": language}).text
    assert topic_links(page) == [each.slug for each in load_topics(language)]


def test_the_index_names_its_sections_in_the_visitors_language(portal: TestClient) -> None:
    english = headings(portal.get("/help").text, 2)
    spanish = headings(portal.get("/help", headers=SPANISH).text, 2)
    assert english == [SECTION_NAMES[section] for section in SECTIONS]
    assert "Tarjetas" in spanish
    assert len(spanish) == len(english) and set(spanish).isdisjoint(english)


def test_every_section_has_a_name() -> None:
    assert set(SECTION_NAMES) == set(SECTIONS)


def test_a_search_keeps_the_topics_holding_every_word(portal: TestClient) -> None:
    page = portal.get("/help", params={"q": "PREPAID card"}).text
    found = topic_links(page)
    assert "accepted-cards" in found
    assert found == [
        each.slug
        for each in load_topics("en")
        if all(word in (each.title + each.body).lower() for word in ("prepaid", "card"))
    ]
    assert f"{len(found)} topics found." in page


def test_a_search_that_finds_nothing_says_so(portal: TestClient) -> None:
    page = portal.get("/help", params={"q": "zebra"}).text
    assert topic_links(page) == []
    assert "0 topics found." in page and 'href="/help"' in page


def test_a_search_in_spanish_searches_the_spanish_topics(portal: TestClient) -> None:
    page = portal.get("/help", params={"q": "prepagadas"}, headers=SPANISH).text
    assert "accepted-cards" in topic_links(page)
    assert "1 tema encontrado." in page or "temas encontrados." in page


def test_a_search_ignores_accents() -> None:
    topics = [HelpTopic("one", "¿Cuándo llega mi depósito?", "deposits", 1, "En minutos.\n")]
    assert matching(topics, "DEPOSITO cuando") == topics
    assert matching(topics, "depósitos") == []


def test_matching_looks_at_titles_too() -> None:
    topics = [
        HelpTopic("one", "How do I add a card?", "cards", 1, "Open My account.\n"),
        HelpTopic("two", "Refunds", "deposits", 1, "A card refund takes days.\n"),
    ]
    assert [each.slug for each in matching(topics, "add")] == ["one"]
    assert [each.slug for each in matching(topics, "card")] == ["one", "two"]
    assert matching(topics, "") == topics


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_topic_page_shows_its_answer_in_the_visitors_language(
    portal: TestClient, language: str
) -> None:
    shown = load_topics(language)[0]
    answer = portal.get(f"/help/{shown.slug}", headers={"accept-language": language})
    assert answer.status_code == 200
    assert headings(answer.text, 1) == [escape(shown.title)]
    assert "<p>" in answer.text and "---" not in answer.text


def test_an_unknown_topic_is_not_found(portal: TestClient) -> None:
    answer = portal.get("/help/no-such-topic")
    assert answer.status_code == 404
    assert "Page not found" in answer.text


def test_a_link_to_another_topic_leads_to_its_page() -> None:
    html = answer_html("See [how to add a card](add-a-card) or [our site](https://example.com).")
    assert '<a href="/help/add-a-card">how to add a card</a>' in html
    assert '<a href="https://example.com">our site</a>' in html


def test_every_link_between_topics_leads_to_a_topic() -> None:
    for language in ("en", "es"):
        slugs = {each.slug for each in load_topics(language)}
        for each in load_topics(language):
            for target in re.findall(r'href="/help/([^"]+)"', answer_html(each.body)):
                assert target in slugs, (language, each.slug, target)


def test_raw_html_in_an_answer_is_shown_as_text() -> None:
    html = answer_html('Hello <script>alert("x")</script> [x](javascript:alert(1))')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_markdown_becomes_html() -> None:
    html = answer_html("Unless:\n\n- Visa\n- **Mastercard**\n")
    assert "<ul>\n<li>Visa</li>\n<li><strong>Mastercard</strong></li>\n</ul>" in html


@pytest.mark.parametrize("path", ["/", "/log-in", "/help", "/help/accepted-cards"])
def test_every_page_links_to_the_help(portal: TestClient, path: str) -> None:
    page = portal.get(path).text
    assert page.count('href="/help"') >= 2  # the header and the footer
