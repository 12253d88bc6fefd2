"""Every service is deployed to sign in to Kafka as the cluster of deploy/k8s/kafka asks: its
listener's protocol and mechanism, as its own KafkaUser with the password Strimzi made for that
user, trusting the cluster CA Strimzi keeps in a Secret (decision 0096)."""

from __future__ import annotations

import pytest

from tests.deploy.custom_resources import KAFKA
from tests.deploy.custom_resources import kafka_users
from tests.deploy.custom_resources import resources_of
from tests.deploy.manifests import Doc
from tests.deploy.manifests import of_kind
from tests.deploy.test_workloads import DEPLOYMENTS
from tests.deploy.test_workloads import MIGRATIONS
from tests.deploy.test_workloads import OVERLAYS
from tests.deploy.test_workloads import server_env
from tests.deploy.test_workloads import service_of
from tests.kafka_wiring import services

# Strimzi's protocol for a listener: TLS or not, with SCRAM sign-in (Kinlink's only kind).
PROTOCOL = {True: "SASL_SSL", False: "SASL_PLAINTEXT"}


def cluster() -> Doc:
    (kafka,) = of_kind(resources_of(KAFKA), "Kafka")
    return kafka


def listeners_by_address() -> dict[str, Doc]:
    """Each listener of the cluster by the address its bootstrap Service gives it."""
    name = cluster()["metadata"]["name"]
    return {
        f"{name}-kafka-bootstrap:{listener['port']}": listener
        for listener in cluster()["spec"]["kafka"]["listeners"]
    }


def secret_key_ref(deployment: Doc, variable: str) -> Doc:
    (server,) = deployment["spec"]["template"]["spec"]["containers"]
    (ref,) = [v["valueFrom"]["secretKeyRef"] for v in server["env"] if v["name"] == variable]
    return dict(ref)


def mounted_file(deployment: Doc, path: str) -> tuple[str, str]:
    """The (Secret, key) a file in the server container comes from, mounted read-only."""
    pod = deployment["spec"]["template"]["spec"]
    (server,) = pod["containers"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in server.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if secret is None or not path.startswith(mount["mountPath"] + "/"):
            continue
        assert mount.get("readOnly") is True, f"{mount['mountPath']} is writable"
        for item in secret["items"]:
            if f"{mount['mountPath']}/{item['path']}" == path:
                return secret["secretName"], item["key"]
    raise AssertionError(f"{deployment['metadata']['name']}: nothing mounted at {path}")


KAFKA_CLIENTS = [
    (overlay_name, deployment)
    for overlay_name, deployment in DEPLOYMENTS
    if "KINLINK_KAFKA_BOOTSTRAP" in server_env(overlay_name, deployment)
]


def test_every_service_with_a_kafka_user_is_a_kafka_client() -> None:
    for overlay_name in OVERLAYS:
        clients = {service_of(d) for name, d in KAFKA_CLIENTS if name == overlay_name}
        assert clients == {s.name for s in services().values()}, overlay_name


@pytest.mark.parametrize(
    ("overlay_name", "deployment"),
    KAFKA_CLIENTS,
    ids=[f"{name}-{deployment['metadata']['name']}" for name, deployment in KAFKA_CLIENTS],
)
def test_a_service_signs_in_as_its_own_kafka_user(overlay_name: str, deployment: Doc) -> None:
    env = server_env(overlay_name, deployment)
    listener = listeners_by_address()[str(env["KINLINK_KAFKA_BOOTSTRAP"])]
    authentication = listener["authentication"]["type"]
    assert env["KINLINK_KAFKA_SECURITY_PROTOCOL"] == PROTOCOL[listener["tls"]]
    assert env["KINLINK_KAFKA_SASL_MECHANISM"] == authentication.upper()

    user = env["KINLINK_KAFKA_USERNAME"]
    assert user == service_of(deployment)
    assert kafka_users()[user]["spec"]["authentication"]["type"] == authentication
    # Strimzi's User Operator keeps the user's password in a Secret named after it.
    assert secret_key_ref(deployment, "KINLINK_KAFKA_PASSWORD") == {"name": user, "key": "password"}
    assert mounted_file(deployment, str(env["KINLINK_KAFKA_CA_FILE"])) == (
        f"{cluster()['metadata']['name']}-cluster-ca-cert",
        "ca.crt",
    )


def test_migrations_are_not_given_a_kafka_password() -> None:
    """`migrate` only creates tables: its Job holds no Kafka credentials."""
    assert MIGRATIONS
    for _, job in MIGRATIONS:
        (container,) = job["spec"]["template"]["spec"]["containers"]
        variables = {v["name"] for v in container.get("env", [])}
        assert "KINLINK_KAFKA_PASSWORD" not in variables, job["metadata"]["name"]
