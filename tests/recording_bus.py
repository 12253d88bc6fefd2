"""A bus for tests of one component: it keeps what is published, and can be down."""

from __future__ import annotations

from collections.abc import Sequence

from kinlink_kit.bus import MessageHandler
from kinlink_kit.bus import OutgoingMessage


class RecordingBus:
    """Keeps what is published; refuses to publish while `down`."""

    def __init__(self) -> None:
        self.published: list[OutgoingMessage] = []
        self.down = False

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if self.down:
            raise ConnectionError("broker unavailable")
        self.published.extend(messages)

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None: ...

    def on(self, topic: str) -> list[OutgoingMessage]:
        return [m for m in self.published if m.topic == topic]
