"""The payment sweep: every message still awaiting its payment `after` it was started (the
ledger was unreachable, or the process died between the charge and its record) is settled by
what the wallet recorded for its reference: paid, it is submitted; not, it is abandoned and its
images deleted. It never charges: a family member is never charged for what they were told
failed. A message younger than `after` is left to the request still sending it.

Idempotent: a message settled twice (two sweeps, a request finishing meanwhile) ends the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import MESSAGES_AWAITING_PAYMENT
from kinlink_kit.metrics import MESSAGES_SETTLED

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import abandon
from kinlink_messaging.service_layer.send_message import submit_paid

log = get_logger(__name__)


@dataclass(frozen=True)
class Settled:
    submitted: int = 0
    abandoned: int = 0


def settle_payments(messaging: Messaging, after: timedelta) -> Settled:
    now = messaging.clock()
    MESSAGES_AWAITING_PAYMENT.set(len(messaging.views.messages.awaiting_payment(now)))
    outcomes = {"submitted": 0, "abandoned": 0}
    for message_id in messaging.views.messages.awaiting_payment(now - after):
        try:
            outcome = _settle(messaging, message_id, after)
        except Unavailable:
            log.warning("the wallet cannot be reached; the next sweep asks again")
            break
        except Exception:
            # One message that cannot be settled must not keep the sweep from the others.
            log.exception(
                "message not settled; the next sweep tries again", message_id=str(message_id)
            )
            continue
        if outcome is not None:
            outcomes[outcome] += 1
            MESSAGES_SETTLED.labels(outcome).inc()
    return Settled(**outcomes)


def _settle(messaging: Messaging, message_id: UUID, after: timedelta) -> str | None:
    message = messaging.find(message_id, Message)
    # The view may lag behind the store, and a restart starts the wait again.
    if (
        message is None
        or message.status is not MessageStatus.AWAITING_PAYMENT
        or messaging.clock() - message.started_at < after
    ):
        return None
    payment = messaging.wallet.find_payment(message.account_id, message.reference)
    if payment is None:
        abandon(messaging, message_id)
        return "abandoned"
    submit_paid(messaging, message_id, payment, messaging.directory.facility(message.facility_id))
    return "submitted"
