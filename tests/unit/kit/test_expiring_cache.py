from __future__ import annotations

import pytest
from kinlink_kit.expiring import ExpiringCache


class Source:
    """What the cache reads through, counting reads; `now` is the cache's clock."""

    def __init__(self) -> None:
        self.values = {"FAC-DEMO": 1}
        self.reads = 0
        self.now = 100.0

    def read(self, key: str) -> int:
        self.reads += 1
        return self.values[key]


@pytest.fixture
def source() -> Source:
    return Source()


@pytest.fixture
def cache(source: Source) -> ExpiringCache[str, int]:
    return ExpiringCache(source.read, max_age=1.0, clock=lambda: source.now)


def test_a_value_is_read_once_until_it_is_max_age_old(
    source: Source, cache: ExpiringCache[str, int]
) -> None:
    assert cache.get("FAC-DEMO") == 1
    source.values["FAC-DEMO"] = 2
    source.now += 0.999
    assert (cache.get("FAC-DEMO"), source.reads) == (1, 1)
    source.now += 0.001
    assert (cache.get("FAC-DEMO"), source.reads) == (2, 2)


def test_a_forgotten_value_is_read_again_at_once(
    source: Source, cache: ExpiringCache[str, int]
) -> None:
    cache.get("FAC-DEMO")
    source.values["FAC-DEMO"] = 2
    cache.forget("FAC-DEMO")
    assert (cache.get("FAC-DEMO"), source.reads) == (2, 2)


def test_what_the_read_raises_is_not_kept(source: Source, cache: ExpiringCache[str, int]) -> None:
    with pytest.raises(KeyError):
        cache.get("FAC-EAST")
    source.values["FAC-EAST"] = 3
    assert (cache.get("FAC-EAST"), source.reads) == (3, 2)
