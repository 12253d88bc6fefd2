"""The auditors' reading of the audit topic's records (msgspec) against the contract's model
(pydantic), which writes them: the same fields, the same values, the same refusals."""

from __future__ import annotations

import json
import uuid

import msgspec
import pytest
from kinlink_contracts.ledger_audit import AuditRecord
from kinlink_ledger.audit.records import AuditRecordReading
from kinlink_ledger.audit.records import audit_records

# Bytes whose base64 differs between the URL-safe alphabet (the model's) and the standard one.
STATE = bytes([0xFB, 0xFF, 0xFE]) + b'{"amount": 500}'


def written(**changes: object) -> bytes:
    record = AuditRecord(
        position=7,
        originator_id=uuid.uuid4(),
        originator_version=3,
        topic="kinlink_ledger.domain.wallet_charge:WalletCharge.Made",
        state=STATE,
        previous_hash="0" * 64,
        hash="a" * 64,
    )
    fields = json.loads(record.to_bytes())
    fields.update(changes)
    return json.dumps(fields).encode()


def test_a_record_reads_as_the_contract_wrote_it() -> None:
    value = written()
    expected = AuditRecord.model_validate_json(value)
    read = audit_records.decode(value)
    assert read.state_bytes() == expected.state == STATE
    assert (
        read.position,
        read.originator_id,
        read.originator_version,
        read.topic,
        read.previous_hash,
        read.hash,
    ) == (
        expected.position,
        expected.originator_id,
        expected.originator_version,
        expected.topic,
        expected.previous_hash,
        expected.hash,
    )


def test_a_state_in_the_standard_alphabet_reads_too() -> None:
    value = written()
    urlsafe = json.loads(value)["state"]
    assert "-" in urlsafe or "_" in urlsafe
    standard = written(state=urlsafe.replace("-", "+").replace("_", "/"))
    assert AuditRecord.model_validate_json(standard).state == STATE
    assert audit_records.decode(standard).state_bytes() == STATE


@pytest.mark.parametrize(
    "changes",
    [
        {"position": 0},
        {"originator_version": 0},
        {"originator_id": "not-a-uuid"},
        {"topic": 5},
        {"hash": None},
    ],
)
def test_what_the_contract_refuses_is_refused(changes: dict[str, object]) -> None:
    value = written(**changes)
    with pytest.raises(ValueError):
        AuditRecord.model_validate_json(value)
    with pytest.raises(msgspec.ValidationError):
        audit_records.decode(value)


def test_a_state_that_is_not_base64_is_refused() -> None:
    value = written(state="not base64!")
    with pytest.raises(ValueError):
        AuditRecord.model_validate_json(value)
    with pytest.raises(ValueError):
        audit_records.decode(value).state_bytes()


def test_the_reading_has_the_contracts_fields_all_required() -> None:
    schema = AuditRecord.model_json_schema()
    assert set(AuditRecordReading.__struct_fields__) == set(schema["properties"])
    assert set(schema["required"]) == set(schema["properties"])
    with pytest.raises(msgspec.ValidationError):
        audit_records.decode(b'{"position": 1}')
