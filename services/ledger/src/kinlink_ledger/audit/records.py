"""The audit topic's records as the auditors' readers decode them: with msgspec, into plain
structs, rather than through the contract's pydantic model (decision 0106). The records are
the contract's `AuditRecord` (`kinlink_contracts.ledger_audit`): `AuditRecordReading` declares
the same fields with the same constraints, and the tests hold it to the contract's JSON schema."""

from __future__ import annotations

import binascii
from typing import Annotated
from uuid import UUID

import msgspec

_Counted = Annotated[int, msgspec.Meta(ge=1)]
# The contract's model writes `state` in URL-safe base64 and reads either alphabet.
_STANDARD_ALPHABET = bytes.maketrans(b"-_", b"+/")


class AuditRecordReading(msgspec.Struct, frozen=True):
    """A record as read, its state still base64: decoding it is half of reading a record, and
    a reader decodes it only for the events it looks into (`state_bytes`)."""

    position: _Counted
    originator_id: UUID
    originator_version: _Counted
    topic: str
    state: str
    previous_hash: str
    hash: str

    def state_bytes(self) -> bytes:
        return binascii.a2b_base64(
            self.state.encode().translate(_STANDARD_ALPHABET), strict_mode=True
        )


audit_records = msgspec.json.Decoder(AuditRecordReading)
