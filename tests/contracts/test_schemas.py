"""The checked-in JSON Schemas are what facility integrations code against."""

import copy
import json
from pathlib import Path

import pytest
from kinlink_contracts.schemas import current_schemas
from kinlink_contracts.schemas import incompatibilities
from kinlink_contracts.schemas import render
from kinlink_contracts.schemas import write

SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"
CURRENT = current_schemas()


@pytest.mark.parametrize("relative", sorted(CURRENT))
def test_every_model_matches_its_checked_in_schema(relative: str) -> None:
    path = SCHEMAS / relative
    assert path.exists(), f"{relative} is not checked in: run `make schemas`"
    checked_in = json.loads(path.read_text())
    assert incompatibilities(checked_in, CURRENT[relative]) == [], "breaking change"
    assert path.read_text() == render(CURRENT[relative]), "stale: run `make schemas`"


def test_every_checked_in_schema_still_has_a_model() -> None:
    checked_in = {str(p.relative_to(SCHEMAS)) for p in SCHEMAS.rglob("*.json")}
    assert checked_in <= set(CURRENT), "a published event type was removed"


CAPTURED = CURRENT["kinlink.ledger.events.v1/DepositCaptured.v1.json"]


def test_adding_an_optional_field_is_compatible() -> None:
    new = copy.deepcopy(CAPTURED)
    new["properties"]["note"] = {"type": "string"}
    assert incompatibilities(CAPTURED, new) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s["properties"].pop("receipt_number"), "receipt_number: removed"),
        (lambda s: s["properties"]["amount_cents"].update(type="string"), "amount_cents: type"),
        (lambda s: s["required"].append("note"), "note: now required"),
    ],
)
def test_breaking_changes_are_named(change, problem: str) -> None:  # type: ignore[no-untyped-def]
    new = copy.deepcopy(CAPTURED)
    change(new)
    assert any(problem in p for p in incompatibilities(CAPTURED, new))


def test_removing_an_enum_value_is_breaking() -> None:
    declined = CURRENT["kinlink.ledger.events.v1/DepositDeclined.v1.json"]
    new = copy.deepcopy(declined)
    new["$defs"]["DeclineReason"]["enum"].remove("limit_exceeded")
    assert incompatibilities(declined, new) != []


def test_writing_refuses_a_breaking_change(tmp_path: Path) -> None:
    assert write(tmp_path) == []
    path = tmp_path / "kinlink.ledger.events.v1/DepositCaptured.v1.json"
    published = json.loads(path.read_text())
    published["properties"]["retired_field"] = {"type": "string"}
    path.write_text(json.dumps(published))
    assert write(tmp_path) == [
        "kinlink.ledger.events.v1/DepositCaptured.v1.json: retired_field: removed"
    ]
    assert "retired_field" in path.read_text()
