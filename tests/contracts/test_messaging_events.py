"""Messaging's events as readers see them: they round-trip through the envelope, name images by
key and hash only, never carry a body; and the facility's reply event a kiosk system publishes."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from hashlib import sha256
from typing import Any
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentMessagePosted
from kinlink_contracts.messaging import MessageApproved
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.messaging import MessageExpired
from kinlink_contracts.messaging import MessageImage
from kinlink_contracts.messaging import MessageRead
from kinlink_contracts.messaging import MessageRejected
from kinlink_contracts.messaging import MessageSubmitted
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
from pydantic import ValidationError

MESSAGE = uuid4()
ACCOUNT = UUID("6f1d2c3b-4a59-4e68-8f70-a1b2c3d4e5f6")
COMMON: dict[str, Any] = {
    "message_id": MESSAGE,
    "facility_id": "FAC-DEMO",
    "resident_id": "R-1001",
    "account_id": ACCOUNT,
    "direction": MessageDirection.TO_RESIDENT,
}
IMAGE = MessageImage(
    key=f"messages/{MESSAGE}/0.jpg",
    thumbnail_key=f"messages/{MESSAGE}/0-thumb.jpg",
    sha256=sha256(b"re-encoded jpeg").hexdigest(),
    content_type="image/jpeg",
    width=1200,
    height=900,
    size_bytes=183_402,
)

EVENTS: list[IntegrationEvent] = [
    MessageSubmitted(
        **COMMON, images=[IMAGE], amount_cents=125, payment_reference=f"message:{MESSAGE}"
    ),
    MessageApproved(**COMMON, officer_id="officer-7"),
    MessageRejected(**COMMON, officer_id="officer-7", reason="Gang signs in the photo."),
    MessageDelivered(**{**COMMON, "direction": MessageDirection.FROM_RESIDENT}, collect=True),
    MessageRead(**COMMON, expires_at=datetime(2026, 12, 20, 15, 30, tzinfo=UTC)),
    MessageExpired(**COMMON),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: event.event_type)
def test_each_event_round_trips_through_the_envelope_keyed_by_resident(
    event: IntegrationEvent,
) -> None:
    envelope = Envelope.wrap(event, key="R-1001", producer="messaging", correlation_id="c-1")
    decoded = Envelope.from_bytes(envelope.to_bytes())
    assert (decoded.type, decoded.key) == (event.event_type, "R-1001")
    assert type(event).model_validate(decoded.payload) == event


def test_messaging_publishes_exactly_these_events_on_its_topic() -> None:
    assert [event.event_type for event in EVENTS_BY_TOPIC[MESSAGING_EVENTS]] == [
        event.event_type for event in EVENTS
    ]
    assert ResidentMessagePosted in EVENTS_BY_TOPIC[FACILITY_EVENTS]


def _field_names(schema: dict[str, Any]) -> set[str]:
    """Every property name in the schema, nested models' included."""
    names = set(schema.get("properties", {}))
    for nested in schema.get("$defs", {}).values():
        names |= _field_names(nested)
    return names


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: event.event_type)
def test_no_event_carries_a_body_or_image_bytes(event: IntegrationEvent) -> None:
    names = _field_names(type(event).model_json_schema())
    assert names.isdisjoint({"body", "bytes", "content", "data", "thumbnail"})
    assert "message_id" in names


@pytest.mark.parametrize(
    "digest", ["", "ABC", sha256(b"x").hexdigest().upper(), sha256(b"x").hexdigest() + "0"]
)
def test_an_image_hash_is_a_lower_case_sha256(digest: str) -> None:
    with pytest.raises(ValidationError, match="sha256"):
        MessageImage.model_validate({**IMAGE.model_dump(), "sha256": digest})


def test_a_rejection_names_its_reason() -> None:
    with pytest.raises(ValidationError, match="reason"):
        MessageRejected(**COMMON, officer_id="officer-7", reason="")


def test_a_kiosk_reply_needs_its_client_key_and_is_not_collect_unless_said() -> None:
    fields: dict[str, Any] = {
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "account_id": str(ACCOUNT),
        "body": "Thank you for the photos.",
    }
    with pytest.raises(ValidationError, match="client_key"):
        ResidentMessagePosted.model_validate({**fields, "client_key": ""})
    posted = ResidentMessagePosted.model_validate({**fields, "client_key": "kiosk-18"})
    assert (posted.account_id, posted.collect) == (ACCOUNT, False)
