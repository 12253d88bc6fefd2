"""The keys images are stored under, the same rule in every store: relative paths of plain
segments (`messages/<message id>/0.jpg`), so a key can never name something outside the folder
or bucket it belongs to, and reads the same on a filesystem and in S3."""

from __future__ import annotations

import re

from kinlink_kit.errors import InvalidArgument

# Letters, digits, `_`, `-` and `.`, a segment never starting with `.` (no `..`, no hidden
# files: the folder store's unfinished writes start with one).
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
MAX_KEY_LENGTH = 512


class ImageKeyInvalid(InvalidArgument):
    def __init__(self, key: str) -> None:
        super().__init__(
            "image_key_invalid",
            f"{key[:80]!r} is not an image key: relative segments of letters, digits, '_', '-' "
            "and '.' (not leading), separated by '/'.",
        )


def checked_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or _KEY.fullmatch(key) is None:
        raise ImageKeyInvalid(key)
    return key
