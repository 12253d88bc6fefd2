"""The carrier keywords CTIA requires a sender to honour, with the synonyms carriers and Twilio
treat alike: an SMS that is one of them, alone (any case, spaces and a final stop or
exclamation mark aside), is a keyword, never a reply to pass on nor to charge."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"  # nothing more to this number until START
    START = "start"
    HELP = "help"  # who we are and how to stop


_WORDS = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"),
        Keyword.STOP,
    ),
    **dict.fromkeys(("START", "YES", "UNSTOP"), Keyword.START),
    **dict.fromkeys(("HELP", "INFO"), Keyword.HELP),
}


@dataclass(frozen=True)
class ReceivedKeyword:
    keyword: Keyword
    word: str  # as the carrier lists it, e.g. "UNSUBSCRIBE"


def keyword_in(body: str) -> ReceivedKeyword | None:
    """The keyword the SMS is, or None for anything else ("stop it please" is a reply)."""
    word = body.strip().rstrip(".!").strip().upper()
    keyword = _WORDS.get(word)
    return ReceivedKeyword(keyword, word) if keyword is not None else None
