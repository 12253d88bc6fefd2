"""The consent a family member gives when turning SMS on: the words shown (by version), when,
and for which number (decision 0043)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from kinlink_kit.errors import InvalidArgument


class ConsentVersionUnknown(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "consent_version_unknown",
            "These are not the consent words Kinlink shows: reload the page and agree again.",
        )


@dataclass(frozen=True)
class ConsentWords:
    version: str
    text: str


@dataclass(frozen=True)
class Consent:
    version: str
    text: str
    phone_number: str  # E.164
    given_at: datetime


def consent_words(version: str) -> ConsentWords:
    """The words of `version`, or `ConsentVersionUnknown`."""
    if version not in SMS_CONSENT_WORDS:
        raise ConsentVersionUnknown()
    return ConsentWords(version, SMS_CONSENT_WORDS[version])
