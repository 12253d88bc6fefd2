"""Kinlink's custom resources (Strimzi's Kafka resources, the Prometheus operator's monitors and
rules) as written, and their offline validation against the operators' schemas.

The validators and promtool are built at make time (`make kafka-monitoring-tools`) under
.cache/tools; a test that needs one fails, never skips, when it is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.deploy.manifests import K8S
from tests.deploy.manifests import ROOT
from tests.deploy.manifests import kustomization
from tests.deploy.manifests import load_yaml
from tests.deploy.manifests import of_kind

KAFKA = K8S / "kafka"
MONITORING = K8S / "monitoring"
TOOLS = ROOT / ".cache" / "tools"
# The operators' schemas compiled to validators (npm, versions and hashes in package-lock.json).
SCHEMAS = TOOLS / "custom-resources"
VALIDATE = Path(__file__).resolve().parent / "crd_schemas" / "validate.mjs"
# The same schemas as TypeScript types, by API version: what the compiler says of a resource
# written as a literal of its kind's type includes every field the type does not know.
TYPES = {
    "kafka.strimzi.io/v1": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1",
    "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
}
TYPE_ERROR = re.compile(r"^[^(]+\((\d+),\d+\): error TS\d+: (.*)$")
PROMTOOL = TOOLS / "bin" / "promtool"
MISSING_TOOLS = "run `make kafka-monitoring-tools` first (it builds the checks' tools once)"

Resource = dict[str, Any]
# What a KafkaUser may do: (resource type, name, pattern type) -> operations.
Grants = dict[tuple[str, str, str], set[str]]


def resources_of(kustomization_dir: Path) -> list[Resource]:
    """The resources a kustomization lists, as written (these hold no patches or generators)."""
    listed = kustomization(kustomization_dir)["resources"]
    return [doc for name in listed for doc in load_yaml(kustomization_dir / name)]


def schema_problems(resources: list[Resource]) -> list[str]:
    """What the operators' schemas refuse in `resources`, one line each ("<kind>/<name>: why"):
    a wrong value, a missing field, a field they do not know; a kind they do not know too."""
    return validator_problems(resources) + unknown_field_problems(resources)


def where(resource: Resource) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


def unknown_field_problems(resources: list[Resource]) -> list[str]:
    """Each resource written as a TypeScript literal of its kind's type, one per line: the
    compiler refuses a field the type does not have, however deep (the validators let those
    through, as the API server would drop them)."""
    assert (SCHEMAS / "node_modules" / ".bin" / "tsc").exists(), MISSING_TOOLS
    typed = [r for r in resources if r["apiVersion"] in TYPES]
    lines = [
        f'import type {{ I{r["kind"]} as T{i} }} from "{TYPES[r["apiVersion"]]}/{r["kind"]}";'
        for i, r in enumerate(typed)
    ]
    first = len(lines) + 1
    lines += [f"export const r{i}: T{i} = {json.dumps(r)};" for i, r in enumerate(typed)]
    source = SCHEMAS / f"resources-{uuid.uuid4().hex}.ts"
    source.write_text("\n".join(lines) + "\n")
    try:
        compiled = subprocess.run(
            [
                SCHEMAS / "node_modules" / ".bin" / "tsc",
                "--noEmit",
                "--strict",
                "--skipLibCheck",
                "--module",
                "nodenext",
                "--moduleResolution",
                "nodenext",
                source.name,
            ],
            cwd=SCHEMAS,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        source.unlink()
    problems = []
    for line in compiled.stdout.splitlines():
        error = TYPE_ERROR.match(line)
        if error:
            number = int(error[1])  # line 1 + i imports resource i's type, `first` + i is it
            subject = typed[number - first if number >= first else number - 1]
            problems.append(f"{where(subject)}: {error[2]}")
    assert problems or compiled.returncode == 0, compiled.stdout + compiled.stderr
    return problems


def validator_problems(resources: list[Resource]) -> list[str]:
    node = shutil.which("node")
    assert node, "the custom resources are validated with Node.js: install it (npm comes with it)"
    assert (SCHEMAS / "node_modules").is_dir(), MISSING_TOOLS
    # Evaluated in the schemas' folder so that its imports resolve to the validators there.
    checked = subprocess.run(
        [node, "--input-type=module", "--eval", VALIDATE.read_text()],
        cwd=SCHEMAS,
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode in (0, 1), checked.stderr
    return checked.stdout.splitlines()


def kafka_topics() -> dict[str, Resource]:
    """The KafkaTopics by the name of the topic they make."""
    return {t["spec"]["topicName"]: t for t in of_kind(resources_of(KAFKA), "KafkaTopic")}


def kafka_users() -> dict[str, Resource]:
    return {u["metadata"]["name"]: u for u in of_kind(resources_of(KAFKA), "KafkaUser")}


def grants(user: Resource) -> Grants:
    granted: Grants = defaultdict(set)
    for acl in user["spec"]["authorization"]["acls"]:
        assert acl.get("type", "allow") == "allow", "Kinlink's ACLs only allow"
        resource = acl["resource"]
        key = (resource["type"], resource["name"], resource.get("patternType", "literal"))
        granted[key] |= set(acl["operations"])
    return dict(granted)
