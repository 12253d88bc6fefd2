"""The payment sweep and the expiry job as the service runs them: in the background, in the
one replica that leads (the embedded mode's single process here)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from kinlink_kit.errors import Unavailable
from kinlink_kit.leadership import Leadership
from kinlink_kit.testing import Clock
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refused
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.entrypoints.sweeps import expiry_job
from kinlink_messaging.entrypoints.sweeps import payment_sweep
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.read_message import read_message
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import reply
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT


async def test_the_background_sweeps_settle_payments_and_record_expiries(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    read = reply(messaging, outside, family)
    await asyncio.to_thread(read_message, messaging, family, read.id)
    outside.wallet.unreachable = True
    unpaid = SendMessage(family, FACILITY, RESIDENT, "k", "Hello")
    with refused(Unavailable, "wallet_unavailable"):
        await asyncio.to_thread(send_message, messaging, unpaid)
    outside.wallet.unreachable = False
    clock.now += timedelta(days=14)

    jobs = [
        payment_sweep(
            messaging,
            Leadership(None, "message payment sweep"),
            settled_after=timedelta(minutes=15),
            every_seconds=0.05,
        ),
        expiry_job(messaging, Leadership(None, "message expiry"), every_seconds=0.05),
    ]
    tasks = [asyncio.create_task(job.run()) for job in jobs]
    try:

        async def abandoned() -> bool:
            found = await asyncio.to_thread(messaging.views.messages.awaiting_payment, clock.now)
            return found == []

        async def expired() -> bool:
            found = await asyncio.to_thread(messaging.message_of, family, read.id)
            return found.status is MessageStatus.EXPIRED

        await eventually(abandoned)
        await eventually(expired)
        assert not set(read.image_keys()) & set(outside.images.objects)
        charged = await asyncio.to_thread(send_message, messaging, unpaid)
        assert charged.status is MessageStatus.DELIVERED  # started again, and paid
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
