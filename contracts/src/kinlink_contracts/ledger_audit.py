"""The ledger's audit stream on `kinlink.ledger.audit.v1`: every event the ledger stores, exactly
as stored, with its link in the ledger's hash chain.

Integration events (`kinlink.ledger.events.v1`) say what other services need to know; this
stream is the ledger's whole history, from which auditors rebuild every balance and check that
nothing was altered, removed or reordered. All records share one key, so the topic keeps them in
one partition, in the order the ledger recorded them.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

AUDIT_KEY = "ledger"

Position = Annotated[int, Field(ge=1, description="The event's place in the ledger's log.")]
OriginatorId = Annotated[UUID, Field(description="The aggregate that recorded the event.")]
OriginatorVersion = Annotated[int, Field(ge=1)]
StoredTopic = Annotated[
    str, Field(description="The domain event's type, as the ledger's store names it.")
]
PreviousHash = Annotated[str, Field(description="SHA-256 (hex) of the event before, or 64 zeros.")]
Hash = Annotated[str, Field(description="SHA-256 (hex) of previous_hash and this event.")]


class AuditRecord(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    position: Position
    originator_id: OriginatorId
    originator_version: OriginatorVersion
    topic: StoredTopic
    state: bytes = Field(description="The stored event's state, base64 in JSON.")
    previous_hash: PreviousHash
    hash: Hash

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()
