"""The help in the browser: from any page to the index, a search, a topic and a topic it links
to, in English and then in Spanish, then the Contact page and back; axe-core checks each page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor


async def test_a_visitor_finds_an_answer_in_english_then_in_spanish(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.open("/log-in")
    await visitor.follow("Help")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Help")
    await expect(page.get_by_role("heading", level=2).first).to_have_text("Your account")

    await visitor.fill(**{"Search the help": "prepaid"})
    await visitor.press("Search")
    await expect(page.get_by_role("status")).to_contain_text("found.")
    await visitor.follow("Which cards can I pay with?")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Which cards can I pay with?")
    await expect(page.locator(".help-answer li")).to_have_text(["Visa", "Mastercard", "Discover"])

    await visitor.follow("How do I add a card?")
    assert page.url.endswith("/help/add-a-card")
    await expect(page.get_by_role("heading", level=1)).to_have_text("How do I add a card?")

    await visitor.press("Español")
    assert page.url.endswith("/help/add-a-card")
    await expect(page.get_by_role("heading", level=1)).to_have_text("¿Cómo agrego una tarjeta?")
    await visitor.follow("Todos los temas de ayuda")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ayuda")
    await visitor.fill(**{"Buscar en la ayuda": "prepagadas"})
    await visitor.press("Buscar")
    await visitor.follow("¿Con qué tarjetas puedo pagar?")
    await expect(page.locator(".help-answer")).to_contain_text("nunca se aceptan")

    # The footer's Contact page and the help topic on contacting support lead to each other.
    await visitor.follow("Comunicarse con soporte")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Comunicarse con soporte")
    support = page.get_by_role("link", name="support@kinlink.example")
    await expect(support).to_have_attribute("href", "mailto:support@kinlink.example")
    await visitor.follow("Qué incluir, en detalle")
    assert page.url.endswith("/help/contact-support")
    await visitor.follow("Contacto")
    assert page.url.endswith("/contact")
    assert len(visitor.pages_checked) == 12
