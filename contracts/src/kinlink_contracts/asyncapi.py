"""The AsyncAPI 3.0 document of Kinlink's topics, generated from the contracts.

One document for the whole platform (decision 0088): a channel per topic and per dead-letter
topic, the events of each topic as its messages (the envelope around the event's JSON Schema),
and each party's operations, tagged with its name, as `kinlink_contracts.topology` lists them.
Beside it, one document per party with only its own operations and the channels they use, and
the JSON Schemas, which every document references rather than copies.

`python -m kinlink_contracts.asyncapi write DIR` writes the documents and the schemas; a test
compares the published ones with what this module generates.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from kinlink_contracts import dead_letters
from kinlink_contracts import topology
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility_examples import FACILITY_EXAMPLES
from kinlink_contracts.ledger_audit import AUDIT_KEY
from kinlink_contracts.ledger_audit import AuditRecord
from kinlink_contracts.schemas import current_schemas
from kinlink_contracts.schemas import render
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import dead_letter_topic

Document = dict[str, Any]

DOCUMENT = "asyncapi.json"
SCHEMAS = "schemas"
AUDIT_RECORD_SCHEMA = f"{SCHEMAS}/{LEDGER_AUDIT}/AuditRecord.json"
KAFKA_BINDING = "0.5.0"


def documents() -> dict[str, str]:
    """Relative path -> text of every file published: the document and the schemas it uses."""
    files = {f"{SCHEMAS}/{path}": render(schema) for path, schema in current_schemas().items()}
    files[AUDIT_RECORD_SCHEMA] = render(AuditRecord.model_json_schema())
    files[DOCUMENT] = _json(document())
    for party in topology.PARTIES:
        files[party_document(party)] = _json(document(party))
    return files


def write(directory: Path) -> None:
    """Write every file, and remove the JSON files no longer generated."""
    files = documents()
    for stale in directory.rglob("*.json"):
        if stale.relative_to(directory).as_posix() not in files:
            stale.unlink()
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def party_document(party: topology.Party) -> str:
    """Where the document of one party's operations is published, beside the whole one."""
    return f"{party.name}.{DOCUMENT}"


def _json(doc: Document) -> str:
    return json.dumps(doc, indent=2) + "\n"


def document(party: topology.Party | None = None) -> Document:
    """The whole platform's document, or only what `party` sends and receives (the document an
    integrator building that party starts from)."""
    channels = {
        **{topic: event_channel(topic, events) for topic, events in EVENTS_BY_TOPIC.items()},
        LEDGER_AUDIT: audit_channel(),
        **dead_letter_channels(),
    }
    parties = topology.PARTIES if party is None else (party,)
    if party is not None:
        used = {*party.publishes, *party.dead_letter_topics, *(c.topic for c in party.consumes)}
        channels = {topic: channel for topic, channel in channels.items() if topic in used}
    return {
        "asyncapi": "3.0.0",
        "id": "urn:kinlink:events" if party is None else f"urn:kinlink:events:{party.name}",
        "info": {
            "title": "Kinlink events" if party is None else f"Kinlink events: {party.name}",
            "version": version("kinlink-contracts"),
            "description": (
                "Every topic Kinlink's services and the facilities' systems write, with its events."
                if party is None
                else f"What {party.name} sends and receives. {party.description}"
            )
            + f"\n\n{_CONVENTIONS}",
            "tags": [{"name": p.name, "description": p.description} for p in parties],
        },
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "The operator's Kafka cluster.",
                "variables": {
                    "bootstrap": {
                        "default": "localhost:9092",
                        "description": "Its bootstrap address (the services' "
                        "KINLINK_KAFKA_BOOTSTRAP).",
                    }
                },
            }
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations(channels, parties),
        "components": {
            "schemas": {"Envelope": {"$ref": f"{SCHEMAS}/envelope.json"}},
            "correlationIds": {
                "Envelope": {
                    "description": "Shared by everything one request caused.",
                    "location": "$message.payload#/correlation_id",
                }
            },
        },
    }


# How every topic works, after each document's first paragraph.
_CONVENTIONS = """\
Each event travels as JSON in one envelope (`#/components/schemas/Envelope`): its `payload` is \
the event, `type` and `schema_version` name its schema, and `key` is also the Kafka message key \
(the resident id where a resident is concerned, so a resident's events stay in order). Within a \
topic's version a change only adds optional fields. Events may arrive more than once: consumers \
recognise one by its `event_id`.

Operations say what each party does, from that party's side, tagged with its name: Kinlink's \
services (each in its own consumer group), the facilities' systems (`facility-integration`) and \
auditors. An event a service can never apply goes to `<topic>.dlq` with the error in its \
headers; operators read and replay those with `kinlink ops dlq`."""


def event_channel(topic: str, events: Iterable[type[IntegrationEvent]]) -> Document:
    events = tuple(events)
    return {
        "address": topic,
        "title": topic,
        "description": inspect.getdoc(sys.modules[events[0].__module__]) or topic,
        "messages": {event.event_type: event_message(topic, event) for event in events},
        "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
    }


def event_message(topic: str, event: type[IntegrationEvent]) -> Document:
    """The envelope, its `type` and `schema_version` fixed, its `payload` the event's schema, and
    its `producer` the service that publishes the topic (facility systems name themselves)."""
    schema = f"{SCHEMAS}/{topic}/{event.event_type}.v{event.schema_version}.json"
    envelope: Document = {
        "type": {"const": event.event_type},
        "schema_version": {"const": event.schema_version},
        "payload": {"$ref": schema},
    }
    services = [p for p in topology.writers(topic) if p.is_service]
    if services:
        envelope["producer"] = {"const": services[0].name}
    message: Document = {
        "name": event.event_type,
        "title": f"{event.event_type} v{event.schema_version}",
    }
    summary = _own_summary(event)
    if summary:
        message["summary"] = summary
    example = FACILITY_EXAMPLES.get(event.event_type) if topic == FACILITY_EVENTS else None
    if example is not None:
        message["examples"] = [
            {
                "name": f"{event.event_type} from {example.producer}",
                "payload": example.model_dump(mode="json"),
            }
        ]
    return message | {
        "contentType": "application/json",
        "correlationId": {"$ref": "#/components/correlationIds/Envelope"},
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {"type": "object", "properties": envelope},
            ]
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": Envelope.model_fields["key"].description},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _own_summary(event: type[IntegrationEvent]) -> str:
    """The first paragraph of the event's own docstring (not one it inherits)."""
    doc = event.__dict__.get("__doc__")
    return inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ") if doc else ""


def audit_channel() -> Document:
    return {
        "address": LEDGER_AUDIT,
        "title": LEDGER_AUDIT,
        "description": inspect.getdoc(sys.modules[AuditRecord.__module__]),
        "messages": {
            "AuditRecord": {
                "name": "AuditRecord",
                "title": "AuditRecord",
                "summary": "One event the ledger stored, with its link in the hash chain.",
                "contentType": "application/json",
                "payload": {"$ref": AUDIT_RECORD_SCHEMA},
                "bindings": {
                    "kafka": {
                        "key": {
                            "type": "string",
                            "const": AUDIT_KEY,
                            "description": "One key for every record: one partition, in order.",
                        },
                        "bindingVersion": KAFKA_BINDING,
                    }
                },
            }
        },
        "bindings": {"kafka": {"topic": LEDGER_AUDIT, "bindingVersion": KAFKA_BINDING}},
    }


def dead_letter_channels() -> dict[str, Document]:
    """A channel for every dead-letter topic a service writes: consumers' and outboxes'."""
    channels: dict[str, Document] = {}
    for service in topology.SERVICES:
        for consumption in service.consumes:
            topic = dead_letter_topic(consumption.topic)
            channels.setdefault(topic, _dead_letter_channel(topic, consumption.topic))
        if service.outbox_dead_letters:
            channels[service.outbox_dead_letters] = _outbox_dead_letter_channel(service)
    return dict(sorted(channels.items()))


def _dead_letter_channel(topic: str, original: str) -> Document:
    writers = ", ".join(s.name for s in topology.writers(topic))
    description = (
        f"Messages of {original} a Kinlink service could never apply (bytes that are not an "
        "envelope, a payload breaking its schema, an event the service rejects), each as it was "
        f"read, with the failure in its headers. Written by: {writers}. Operators replay one "
        f"once its cause is fixed: `kinlink ops dlq replay --topic {original}`."
    )
    message = _dead_letter_message(
        "DeadLetter",
        "The original message's bytes, unchanged: an envelope, or what could not be read as one.",
        dead_letters.CONSUMER_HEADERS,
        "The original message's key.",
    )
    return _channel(topic, description, message)


def _outbox_dead_letter_channel(service: topology.Party) -> Document:
    topic = service.outbox_dead_letters or ""
    description = (
        f"Events {service.name} stored but its outbox relay could never translate into "
        "integration events (a defect to fix in the service), with the failure in the headers."
    )
    message = _dead_letter_message(
        "UntranslatableEvent",
        "The stored event's state, as the service's event store recorded it.",
        dead_letters.OUTBOX_HEADERS,
        "The id of the aggregate whose event it is.",
    )
    return _channel(topic, description, message)


def _dead_letter_message(
    name: str, payload: str, headers: dict[str, str], key: str
) -> tuple[str, Document]:
    return name, {
        "name": name,
        "title": name,
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "required": list(headers),
            "properties": {
                header: {"type": "string", "description": description}
                for header, description in headers.items()
            },
        },
        "payload": {"description": payload},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": key},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _channel(topic: str, description: str, message: tuple[str, Document]) -> Document:
    return {
        "address": topic,
        "title": topic,
        "description": description,
        "messages": dict([message]),
        "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
    }


def operations(
    channels: dict[str, Document], parties: Iterable[topology.Party]
) -> dict[str, Document]:
    """What each party sends and receives, by channel; a receiver lists only the events it acts
    on when it ignores the rest."""
    found: dict[str, Document] = {}
    for party in parties:
        for topic in (*party.publishes, *party.dead_letter_topics):
            found[f"{party.name}.sends.{topic}"] = _operation(
                party, "send", topic, list(channels[topic]["messages"])
            )
        for consumption in party.consumes:
            events = list(consumption.events or channels[consumption.topic]["messages"])
            found[f"{party.name}.receives.{consumption.topic}"] = _operation(
                party, "receive", consumption.topic, events
            )
    return found


def _operation(party: topology.Party, action: str, topic: str, messages: list[str]) -> Document:
    channel = f"#/channels/{_pointer(topic)}"
    operation: Document = {
        "action": action,
        "channel": {"$ref": channel},
        "title": f"{party.name} {action}s {topic}",
        "tags": [{"name": party.name}],
        "messages": [{"$ref": f"{channel}/messages/{_pointer(m)}"} for m in messages],
    }
    group = _group(party)
    if action == "receive" and group:
        operation["bindings"] = {"kafka": {"groupId": group, "bindingVersion": KAFKA_BINDING}}
    return operation


def _group(party: topology.Party) -> Document | None:
    """The consumer groups the party reads in: a service's own, or an outside party's prefix."""
    if party.group:
        return {"type": "string", "const": party.group}
    if party.group_prefix:
        return {
            "type": "string",
            "pattern": f"^{party.group_prefix}",
            "description": f"A group of the party's own naming, starting {party.group_prefix}",
        }
    return None


def _pointer(name: str) -> str:
    """`name` as one step of a JSON pointer."""
    return name.replace("~", "~0").replace("/", "~1")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "write":
        print("usage: python -m kinlink_contracts.asyncapi write DIR", file=sys.stderr)
        return 2
    write(Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
