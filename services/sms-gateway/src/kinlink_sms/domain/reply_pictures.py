"""The pictures of a family member's SMS reply (MMS), checked against the facility's image rules
before the reply is charged: a reply is never charged for a picture the resident could not
receive (decision 0046)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from kinlink_contracts.facility_settings import ImageRules


class PictureRefusal(StrEnum):
    """Which image rule a reply's pictures broke, as its refusal names it."""

    TOO_MANY_PICTURES = "too_many_pictures"
    PICTURE_TYPE_REFUSED = "picture_type_refused"
    PICTURE_TOO_LARGE = "picture_too_large"
    PICTURE_UNREADABLE = "picture_unreadable"  # the carrier does not have it (any more)


@dataclass(frozen=True)
class ReplyPicture:
    """One picture of a reply as the gateway keeps it: where the carrier serves it (to fetch it
    again), and what it is."""

    index: int
    url: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, index: int, url: str, content: bytes, content_type: str) -> ReplyPicture:
        digest = hashlib.sha256(content).hexdigest()
        return cls(index, url, content_type, len(content), digest)

    def matches(self, content: bytes) -> bool:
        return len(content) == self.size and hashlib.sha256(content).hexdigest() == self.sha256


def too_many(rules: ImageRules, count: int) -> PictureRefusal | None:
    return PictureRefusal.TOO_MANY_PICTURES if count > rules.max_per_message else None


def broken_rule(rules: ImageRules, content_type: str, size: int) -> PictureRefusal | None:
    """The rule one picture breaks, or None. Its dimensions are messaging's to check when it
    prepares it (re-encoding reads them)."""
    if content_type.lower() not in rules.content_types:
        return PictureRefusal.PICTURE_TYPE_REFUSED
    if size > rules.max_bytes:
        return PictureRefusal.PICTURE_TOO_LARGE
    return None
