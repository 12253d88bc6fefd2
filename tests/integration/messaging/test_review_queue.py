"""The review queue as the officers' page reads it: what a view row still names but another
officer has decided meanwhile is left out."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_messaging.adapters import facility_messages_view
from kinlink_messaging.service_layer import list_review_queue as queue
from kinlink_messaging.service_layer.approve_message import approve_message
from kinlink_messaging.service_layer.messaging import Messaging

from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

OFFICER = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({REVIEWING_FACILITY}))


def test_a_message_decided_after_the_view_was_read_is_not_offered_for_review(
    messaging: Messaging, family: UUID, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    decided = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="d")
    clock.now += timedelta(seconds=1)
    waiting = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="w")
    rows = facility_messages_view.review_queue(messaging.views.messages, REVIEWING_FACILITY, 10)
    assert [message_id for _, message_id in rows] == [decided.id, waiting.id]
    approve_message(messaging, OFFICER, decided.id)
    # The rows as they were read just before the approval.
    monkeypatch.setattr(queue, "review_queue", lambda *_: rows)

    page = queue.list_review_queue(
        messaging, OFFICER, queue.ListReviewQueue(REVIEWING_FACILITY, 10)
    )
    assert [item.message.id for item in page.rows] == [waiting.id]
