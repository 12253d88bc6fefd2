"""A messaging process prepares a bounded number of photos at once: each holds its pixels in
memory, so more at once would grow the process without bound."""

from __future__ import annotations

import threading
from typing import Any

from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.testing import eventually
from kinlink_messaging.bootstrap import at_most


async def test_photos_beyond_the_limit_wait_for_their_turn() -> None:
    inside: list[str] = []
    release = threading.Event()

    def prepare(upload: Any, rules: ImageRules) -> Any:
        inside.append(upload)
        release.wait()
        return upload

    limited = at_most(2, prepare)
    threads = [
        threading.Thread(target=limited, args=(f"photo-{n}", ImageRules())) for n in range(3)
    ]
    for thread in threads:
        thread.start()

    async def two_inside() -> bool:
        return len(inside) >= 2

    await eventually(two_inside)
    threads[2].join(timeout=0.2)
    assert len(inside) == 2  # the third waits while two are prepared

    release.set()
    for thread in threads:
        thread.join()
    assert sorted(inside) == ["photo-0", "photo-1", "photo-2"]
