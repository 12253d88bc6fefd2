"""The one envelope every event travels in on Kafka (JSON on the wire)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from typing import ClassVar
from typing import Self
from uuid import UUID
from uuid import uuid4

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field


class IntegrationEvent(BaseModel):
    """Base of every event published to other services and facility integrations.

    Within a topic's major version a change may only add optional fields.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_type = cls.__name__


class Envelope(BaseModel):
    """Metadata around an event's payload; `key` is also the Kafka message key."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    type: str = Field(description="Event type, e.g. DepositCaptured.", examples=["DepositCaptured"])
    schema_version: int = Field(ge=1, description="Version of the payload's schema.")
    occurred_at: AwareDatetime = Field(description="When it happened, in UTC.")
    producer: str = Field(description="The service that published it.", examples=["ledger"])
    correlation_id: str = Field(description="Id shared by everything one request caused.")
    causation_id: str | None = Field(
        default=None, description="Id of the event or request that directly caused this one."
    )
    key: str = Field(description="Partition key: the resident id where a resident is concerned.")
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        event: IntegrationEvent,
        *,
        key: str,
        producer: str,
        correlation_id: str,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
        causation_id: str | None = None,
    ) -> Self:
        return cls(
            event_id=event_id or uuid4(),
            type=event.event_type,
            schema_version=event.schema_version,
            occurred_at=(occurred_at or datetime.now(UTC)).astimezone(UTC),
            producer=producer,
            correlation_id=correlation_id,
            causation_id=causation_id,
            key=key,
            payload=event.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Self:
        return cls.model_validate_json(raw)
