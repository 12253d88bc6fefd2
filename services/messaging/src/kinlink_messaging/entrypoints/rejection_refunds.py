"""Refunds follow rejections: a job reads messaging's log after its recorded position and, for
each message rejected, asks `refund_rejected`; the position is recorded after the batch. A
batch that fails (the ledger unreachable) is tried again from the last position, so every
recorded rejection is refunded where its facility refunds, however the process stopped, and
the wallet's once-per-payment refund makes a batch handled twice harmless. One replica at a
time runs it (leadership)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from kinlink_kit.leadership import Leadership
from kinlink_kit.log_follower import LogFollower

from kinlink_messaging.domain.message import Message
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.reject_message import refund_rejected

_REJECTED = get_topic(Message.Rejected)


class RejectionRefunds(LogFollower):
    name = "rejection refunds"

    def __init__(self, messaging: Messaging, leadership: Leadership) -> None:
        super().__init__(messaging.store)
        self.messaging = messaging
        self.leadership = leadership

    async def run(self) -> None:
        """Follow the log whenever this process leads, until cancelled."""
        await self.leadership.run(super().run)

    def position(self) -> int:
        return self.messaging.views.store.position(self.name)

    async def handle(self, notifications: Sequence[Notification]) -> None:
        await asyncio.to_thread(self._refund, notifications)

    def _refund(self, notifications: Sequence[Notification]) -> None:
        for notification in notifications:
            if notification.topic == _REJECTED:
                rejected = self.app.mapper.to_domain_event(notification)
                refund_rejected(self.messaging, rejected.originator_id)
        with self.messaging.views.store.transaction() as cursor:
            self.messaging.views.store.record_position(cursor, self.name, notifications[-1].id)
