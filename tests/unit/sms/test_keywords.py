"""The CTIA keywords and their synonyms are recognised alone, in any case; anything more is a
reply."""

from __future__ import annotations

import pytest
from kinlink_sms.domain.keywords import Keyword
from kinlink_sms.domain.keywords import ReceivedKeyword
from kinlink_sms.domain.keywords import keyword_in


@pytest.mark.parametrize(
    ("body", "word", "keyword"),
    [
        ("STOP", "STOP", Keyword.STOP),
        ("stop", "STOP", Keyword.STOP),
        ("  Stop. ", "STOP", Keyword.STOP),
        ("STOPALL", "STOPALL", Keyword.STOP),
        ("unsubscribe", "UNSUBSCRIBE", Keyword.STOP),
        ("Cancel", "CANCEL", Keyword.STOP),
        ("END", "END", Keyword.STOP),
        ("quit!", "QUIT", Keyword.STOP),
        ("START", "START", Keyword.START),
        ("yes", "YES", Keyword.START),
        ("Unstop", "UNSTOP", Keyword.START),
        ("HELP", "HELP", Keyword.HELP),
        ("info", "INFO", Keyword.HELP),
    ],
)
def test_a_keyword_alone_is_recognised_with_the_word_received(
    body: str, word: str, keyword: Keyword
) -> None:
    assert keyword_in(body) == ReceivedKeyword(keyword, word)


@pytest.mark.parametrize(
    "body", ["stop it please", "Please stop", "help me with the deposit", "yes!!! love you", ""]
)
def test_a_keyword_among_other_words_is_a_reply(body: str) -> None:
    assert keyword_in(body) is None
