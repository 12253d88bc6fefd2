"""A service process, once serving, moves what it built to start out of the garbage collector's
reach (decision 0109): a later full collection scans only what came after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from kinlink_kit.runtime import leave_the_start_out_of_collections


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_exists_once_serving_is_left_out_of_collections(unfrozen: None) -> None:
    built_to_start = [object()]  # a list: the collector tracks it

    def collectable() -> bool:
        return any(tracked is built_to_start for tracked in gc.get_objects())

    assert collectable() and gc.get_freeze_count() == 0

    leave_the_start_out_of_collections("127.0.0.1:50051")

    assert not collectable() and gc.get_freeze_count() > 0
