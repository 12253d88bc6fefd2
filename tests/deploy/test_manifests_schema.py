"""Every object the overlays render is valid Kubernetes, checked offline against the API's own
OpenAPI schemas (bundled by kubernetes-validate), strictly: a field the API does not know is an
error, not something the API server would silently drop.

Custom resources (Strimzi's, the Prometheus operator's) have no schema here: each kind is handed
to the tests that check it against its CRD, by name. A kind nobody checks fails.
"""

from __future__ import annotations

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.manifests import OVERLAYS
from tests.deploy.manifests import Doc
from tests.deploy.manifests import overlay

# The Kubernetes release the manifests target: its schemas are what the objects must satisfy.
KUBERNETES_VERSION = "1.33"

# Custom resources, by API group and kind, and the tests that validate them against their CRDs'
# schemas (any version of the group: those tests know which their CRDs serve).
CHECKED_ELSEWHERE = {
    "kafka.strimzi.io": {
        "Kafka": "tests/deploy/test_kafka_*.py",
        "KafkaNodePool": "tests/deploy/test_kafka_*.py",
        "KafkaTopic": "tests/deploy/test_kafka_*.py",
        "KafkaUser": "tests/deploy/test_kafka_*.py",
    },
    "monitoring.coreos.com": {
        "ServiceMonitor": "tests/deploy/test_monitoring_*.py",
        "PodMonitor": "tests/deploy/test_monitoring_*.py",
        "PrometheusRule": "tests/deploy/test_monitoring_*.py",
    },
}


def validate(doc: Doc) -> None:
    """Raises jsonschema's ValidationError for an invalid built-in object, and
    kubernetes_validate's SchemaNotFoundError for a kind its schemas do not hold."""
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def checked_elsewhere(doc: Doc) -> bool:
    group = doc["apiVersion"].rpartition("/")[0]
    return doc["kind"] in CHECKED_ELSEWHERE.get(group, {})


def objects(name: str) -> list[Doc]:
    return list(overlay(name))


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_every_object_is_valid_kubernetes_or_handed_to_its_crd_check(overlay_name: str) -> None:
    invalid, unchecked = [], []
    for doc in objects(overlay_name):
        where = f"{overlay_name}: {doc['kind']} {doc['metadata']['name']}"
        try:
            validate(doc)
        except kubernetes_validate.SchemaNotFoundError:
            if not checked_elsewhere(doc):
                unchecked.append(f"{doc['apiVersion']} {doc['kind']}")
        except jsonschema.ValidationError as error:
            invalid.append(f"{where}: {error.message} at {'/'.join(map(str, error.path))}")
    assert invalid == [], f"{overlay_name}: objects the API would refuse"
    assert unchecked == [], f"{overlay_name}: kinds nobody validates: {sorted(set(unchecked))}"


def test_the_validator_refuses_an_unknown_field() -> None:
    """The check is strict: a misspelt field, which the API server would drop, is an error."""
    deployment = next(d for d in objects("prod") if d["kind"] == "Deployment")
    typo = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(jsonschema.ValidationError, match="'replica' was unexpected"):
        validate(typo)


def test_a_kind_nobody_validates_is_not_a_custom_resource_handed_over() -> None:
    made_up = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate(made_up)
    assert not checked_elsewhere(made_up)
