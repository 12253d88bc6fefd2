"""The published AsyncAPI document (docs/asyncapi) is what the contracts generate, is valid
AsyncAPI 3.0 by the official JSON Schema, and describes real envelopes exactly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import jsonschema
import pytest
from kinlink_contracts import topics
from kinlink_contracts import topology
from kinlink_contracts.asyncapi import DOCUMENT
from kinlink_contracts.asyncapi import document
from kinlink_contracts.asyncapi import documents
from kinlink_contracts.asyncapi import party_document
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import DepositCaptured
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "docs" / "asyncapi"
# Fetched at make time from npm's @asyncapi/specs, its hash checked (contracts/asyncapi.mk).
OFFICIAL_SCHEMA = ROOT / ".cache" / "tools" / "asyncapi-specs" / "asyncapi-3.0.0.json"
GENERATED = documents()
DOC = json.loads(GENERATED[DOCUMENT])
# The whole platform's document and each party's.
DOCUMENTS = {path: json.loads(text) for path, text in GENERATED.items() if path.endswith(DOCUMENT)}


def test_the_published_files_are_the_generated_ones() -> None:
    published = {p.relative_to(PUBLISHED).as_posix() for p in PUBLISHED.rglob("*.json")}
    assert sorted(set(GENERATED) - published) == [], "missing: run `make asyncapi`"
    assert sorted(published - set(GENERATED)) == [], "no longer generated: run `make asyncapi`"
    stale = [path for path, text in GENERATED.items() if (PUBLISHED / path).read_text() != text]
    assert stale == [], "stale: run `make asyncapi`"


def asyncapi_errors(doc: dict[str, Any]) -> list[str]:
    assert OFFICIAL_SCHEMA.exists(), "the official AsyncAPI schema is missing: `make asyncapi-spec`"
    validator = jsonschema.Draft7Validator(json.loads(OFFICIAL_SCHEMA.read_text()))
    errors = []
    for error in validator.iter_errors(doc):
        # The schema's oneOf alternatives hide the real fault: name the deepest one.
        deepest = max([error, *error.context], key=lambda e: len(e.absolute_path))
        errors.append(f"{'/'.join(map(str, deepest.absolute_path))}: {deepest.message[:300]}")
    return errors


def test_there_is_a_document_for_the_platform_and_one_for_each_party() -> None:
    assert set(DOCUMENTS) == {DOCUMENT, *(party_document(p) for p in topology.PARTIES)}


@pytest.mark.parametrize("path", sorted(DOCUMENTS))
def test_each_document_is_valid_asyncapi_3(path: str) -> None:
    assert DOCUMENTS[path]["asyncapi"] == "3.0.0"
    assert asyncapi_errors(DOCUMENTS[path]) == []


def test_the_official_schema_refuses_a_broken_document() -> None:
    broken = copy.deepcopy(DOC)
    # AsyncAPI 2's word for sending, and a Kafka binding with partitions as text.
    next(iter(broken["operations"].values()))["action"] = "publish"
    broken["channels"][topics.LEDGER_EVENTS]["bindings"]["kafka"]["partitions"] = "three"
    errors = asyncapi_errors(broken)
    assert any("action" in e for e in errors), errors
    assert any("partitions" in e for e in errors), errors


def test_every_topic_its_dead_letters_and_every_event_have_a_channel_and_message() -> None:
    written = {t for s in topology.SERVICES for t in (*s.publishes, *s.dead_letter_topics)}
    channels = DOC["channels"]
    assert set(channels) == {*EVENTS_BY_TOPIC, topics.LEDGER_AUDIT} | written
    for topic, events in EVENTS_BY_TOPIC.items():
        assert list(channels[topic]["messages"]) == [e.event_type for e in events]
    assert all(c["address"] == name for name, c in channels.items())


def resolve(doc: dict[str, Any], pointer: str) -> Any:
    found: Any = doc
    for step in pointer.removeprefix("#/").split("/"):
        found = found[step.replace("~1", "/").replace("~0", "~")]
    return found


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            *([node["$ref"]] if "$ref" in node else []),
            *(r for v in node.values() for r in references(v)),
        ]
    if isinstance(node, list):
        return [r for v in node for r in references(v)]
    return []


@pytest.mark.parametrize("path", sorted(DOCUMENTS))
def test_every_reference_resolves_in_the_document_or_to_a_published_schema(path: str) -> None:
    for ref in references(DOCUMENTS[path]):
        if ref.startswith("#/"):
            resolve(DOCUMENTS[path], ref)
        else:
            assert ref in GENERATED, ref


@pytest.mark.parametrize("path", sorted(p for p in GENERATED if p.startswith("schemas/")))
def test_each_published_schema_is_a_valid_json_schema(path: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(GENERATED[path]))


def test_a_party_s_document_holds_its_operations_and_only_the_channels_they_use() -> None:
    facility = DOCUMENTS[party_document(topology.FACILITY_INTEGRATION)]
    read = {
        topics.LEDGER_EVENTS,
        topics.COMMISSARY_EVENTS,
        topics.MESSAGING_EVENTS,
        topics.SMS_EVENTS,
        topics.VISITATION_EVENTS,
    }
    assert set(facility["channels"]) == {topics.FACILITY_EVENTS, *read}
    assert set(facility["operations"]) == {
        f"facility-integration.sends.{topics.FACILITY_EVENTS}",
        *(f"facility-integration.receives.{topic}" for topic in read),
    }
    assert facility["channels"][topics.LEDGER_EVENTS] == DOC["channels"][topics.LEDGER_EVENTS]
    group = facility["operations"][f"facility-integration.receives.{topics.LEDGER_EVENTS}"]
    assert group["bindings"]["kafka"]["groupId"]["pattern"] == "^facility-"


def test_each_party_s_operations_use_only_its_channel_s_messages() -> None:
    operations = DOC["operations"]
    for name, operation in operations.items():
        party = name.split(".")[0]
        assert operation["tags"] == [{"name": party}]
        channel = operation["channel"]["$ref"]
        assert operation["messages"], name
        assert all(m["$ref"].startswith(f"{channel}/messages/") for m in operation["messages"])
    ledger = operations[f"ledger.receives.{topics.FACILITY_EVENTS}"]
    assert ledger["bindings"]["kafka"]["groupId"]["const"] == "kinlink-ledger"
    assert [m["$ref"].rsplit("/", 1)[1] for m in ledger["messages"]] == ["DepositPosted"]
    auditor = {n for n in operations if n.startswith("auditor.")}
    assert auditor == {f"auditor.receives.{topics.LEDGER_AUDIT}"}


def message_validator(topic: str, message: str) -> jsonschema.Draft202012Validator:
    """The message's payload schema, its references resolved in the published files."""
    base = "https://schemas.kinlink.invalid/asyncapi/"

    def published(uri: str) -> Resource[Any]:
        return DRAFT202012.create_resource(json.loads(GENERATED[uri.removeprefix(base)]))

    # `referencing` builds its classes with attrs, whose keyword arguments mypy does not see.
    registry: Registry[Any] = Registry(retrieve=published)  # type: ignore[call-arg]
    pointer = f"#/channels/{topic}/messages/{message}/payload"
    return jsonschema.Draft202012Validator(
        {"$ref": f"{base}{DOCUMENT}{pointer}"}, registry=registry
    )


CAPTURED = Envelope.wrap(
    DepositCaptured(
        deposit_id=UUID(int=1),
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        depositor_id="account-1",
        amount_cents=5000,
        fee_cents=395,
        total_cents=5395,
        payment_reference="pi_1",
        receipt_number="K-000001",
    ),
    key="R-1001",
    producer="ledger",
    correlation_id="quote-1",
)


def test_each_event_a_facility_publishes_has_an_example_matching_its_message() -> None:
    channel = DOC["channels"][topics.FACILITY_EVENTS]
    assert [name for name, m in channel["messages"].items() if "examples" in m] == [
        e.event_type for e in EVENTS_BY_TOPIC[topics.FACILITY_EVENTS]
    ]
    for name, message in channel["messages"].items():
        [example] = message["examples"]
        validator = message_validator(topics.FACILITY_EVENTS, name)
        assert list(validator.iter_errors(example["payload"])) == [], name
        envelope = example["payload"]
        assert envelope["payload"].get("resident_id", envelope["key"]) == envelope["key"], name


def test_a_real_envelope_matches_its_message() -> None:
    validator = message_validator(topics.LEDGER_EVENTS, "DepositCaptured")
    assert list(validator.iter_errors(json.loads(CAPTURED.to_bytes()))) == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda e: e.update(type="DepositDeclined"),
        lambda e: e.update(schema_version=2),
        lambda e: e.update(producer="commissary"),
        lambda e: e.pop("event_id"),
        lambda e: e["payload"].pop("receipt_number"),
        lambda e: e["payload"].update(amount_cents="50.00"),
    ],
    ids=[
        "other type",
        "other version",
        "other producer",
        "no event id",
        "payload field missing",
        "text amount",
    ],
)
def test_an_envelope_breaking_its_message_is_refused(spoil: Any) -> None:
    envelope = json.loads(CAPTURED.to_bytes())
    spoil(envelope)
    assert list(message_validator(topics.LEDGER_EVENTS, "DepositCaptured").iter_errors(envelope))


def test_the_document_is_generated_the_same_every_time() -> None:
    assert document() == DOC
