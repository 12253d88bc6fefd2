from __future__ import annotations

import re

import pytest
from kinlink_identity.domain.emails import link_email
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.domain.one_time_token import new_token


@pytest.mark.parametrize("purpose", list(TokenPurpose))
def test_every_email_carries_its_link_and_an_unsubscribe_note(purpose: TokenPurpose) -> None:
    token = new_token()
    email = link_email(purpose, "ada@example.com", "Ada", "https://kinlink.example/", token)
    assert email.to == "ada@example.com"
    assert email.subject
    assert "Hello Ada," in email.text
    link = re.search(r"https://kinlink\.example/([a-z-]+)\?token=([A-Za-z0-9_\-]+)", email.text)
    assert link is not None
    assert link.group(2) == token
    assert "unsubscribe" in email.text


def test_each_purpose_has_its_own_page_and_subject() -> None:
    emails = [link_email(p, "a@example.com", "", "https://k.example", "t") for p in TokenPurpose]
    assert len({e.subject for e in emails}) == len(TokenPurpose)
    pages = {re.search(r"k\.example/(\S+)\?", e.text).group(1) for e in emails}  # type: ignore[union-attr]
    assert len(pages) == len(TokenPurpose)
    assert all(e.text.startswith("Hello,") for e in emails)
