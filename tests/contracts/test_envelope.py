from datetime import UTC
from datetime import datetime
from uuid import uuid4

import pytest
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import DeclineReason
from kinlink_contracts.ledger import DepositDeclined
from pydantic import ValidationError


def test_an_event_round_trips_through_the_envelope() -> None:
    event = DepositDeclined(
        deposit_id=uuid4(),
        facility_id="F",
        resident_id="R-1",
        depositor_id="D",
        amount_cents=500,
        fee_cents=95,
        reason=DeclineReason.LIMIT_EXCEEDED,
    )
    envelope = Envelope.wrap(
        event,
        key="R-1",
        producer="ledger",
        correlation_id="c-1",
        occurred_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )
    decoded = Envelope.from_bytes(envelope.to_bytes())
    assert decoded == envelope
    assert decoded.type == "DepositDeclined"
    assert DepositDeclined.model_validate(decoded.payload) == event


def test_malformed_bytes_are_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Envelope.from_bytes(b"{not json")
    with pytest.raises(ValidationError):
        Envelope.from_bytes(b'{"type": "DepositCaptured"}')
