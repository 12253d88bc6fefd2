"""Asserting that a use case refuses, with the code and the field a client would see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kinlink_kit.errors import ClientError


@contextmanager
def refused(kind: type[ClientError], code: str, field: str | None) -> Iterator[None]:
    with pytest.raises(kind) as caught:
        yield
    assert (caught.value.code, caught.value.field) == (code, field)
