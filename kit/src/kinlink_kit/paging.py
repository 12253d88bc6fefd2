"""Pages of a list call: the size asked for, checked, and the opaque token that resumes a list
after the last row of the previous page (its sort key), so rows added or changed meanwhile
neither repeat nor go missing between pages."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar

from kinlink_kit.errors import InvalidArgument

MAX_PAGE_SIZE = 200

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    # Empty on the last page.
    next_page_token: str = ""


def checked_page_size(page_size: int) -> int:
    if not 0 < page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument("page_size_invalid", f"Ask for 1 to {MAX_PAGE_SIZE} rows a page.")
    return page_size


def page_token(sort_key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(sort_key)).encode()).decode()


def sort_key_of(token: str, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The sort key a token resumes after, each part of the type given; None for no token."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError):
        key = None
    if not (
        isinstance(key, list)
        and len(key) == len(types)
        and all(type(part) is kind for part, kind in zip(key, types, strict=True))
    ):
        raise InvalidArgument(
            "page_token_invalid",
            "This page token was not given by this list; start again from the first page.",
        )
    return tuple(key)


def page_of(rows: list[Row], page_size: int, sort_key: Any) -> Page[Row]:
    """The page from up to `page_size + 1` rows read: one more than asked says another page
    follows, which resumes after the last row shown."""
    if len(rows) <= page_size:
        return Page(rows)
    shown = rows[:page_size]
    return Page(shown, page_token(sort_key(shown[-1])))
