"""Export the JSON Schemas of the envelope and every integration event, and judge changes.

`python -m kinlink_contracts.schemas write DIR` writes them; the contract test compares the
checked-in files with the models: within a topic's version a change may only add optional fields.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.envelope import Envelope

Schema = dict[str, Any]


def current_schemas() -> dict[str, Schema]:
    """Relative file path -> schema, for the envelope and each event of each topic."""
    schemas = {"envelope.json": Envelope.model_json_schema()}
    for topic, events in EVENTS_BY_TOPIC.items():
        for event in events:
            schemas[f"{topic}/{event.event_type}.v{event.schema_version}.json"] = (
                event.model_json_schema()
            )
    return schemas


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write(directory: Path) -> list[str]:
    """Write every schema; a breaking change to a published one is refused, not written."""
    refused = []
    for relative, schema in current_schemas().items():
        path = directory / relative
        if path.exists():
            problems = incompatibilities(json.loads(path.read_text()), schema)
            if problems:
                refused += [f"{relative}: {problem}" for problem in problems]
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(schema))
    return refused


def incompatibilities(old: Schema, new: Schema, where: str = "") -> list[str]:
    """Changes from `old` to `new` that would break an existing consumer or producer."""
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{where}{name}: removed")
        elif _shape(old_prop) != _shape(new_props[name]):
            problems.append(f"{where}{name}: type changed")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    problems += [f"{where}{name}: now required" for name in sorted(newly_required)]
    for name, old_def in old.get("$defs", {}).items():
        new_def = new.get("$defs", {}).get(name)
        if new_def is None:
            problems.append(f"{where}$defs.{name}: removed")
            continue
        problems += incompatibilities(old_def, new_def, f"{where}{name}.")
        if "enum" in old_def and set(old_def["enum"]) - set(new_def.get("enum", [])):
            problems.append(f"{where}{name}: enum values removed")
    return problems


def _shape(prop: Schema) -> Any:
    """What a property's value may be, ignoring documentation."""
    ignored = {"description", "title", "examples", "default"}
    return {k: v for k, v in prop.items() if k not in ignored}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "write":
        print("usage: python -m kinlink_contracts.schemas write DIR", file=sys.stderr)
        return 2
    refused = write(Path(argv[1]))
    for problem in refused:
        print(f"breaking change, not written: {problem}", file=sys.stderr)
    if refused:
        print(
            "Only optional fields may be added within a version; publish a new one.",
            file=sys.stderr,
        )
    return 1 if refused else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
