"""The workloads the Kubernetes overlays deploy keep the promises the services rely on.

Every Deployment: readiness and liveness probes (gRPC on a service's gRPC port; HTTP /healthz on
the web portal's port), a locked-down container
(non-root, read-only root filesystem, no privilege escalation, all capabilities dropped), a memory
limit, a termination grace period longer than the service's own drain, only KINLINK_* variables,
each one a setting of its service, and the public keys that verify tokens. Migration Jobs are
locked down the same way. Each election of a service with a database (its outbox relay, its
views' follower) has candidates: the service's pods, or its worker's alone where it has one.

The checks run on each overlay as kustomize renders it (tests/deploy/manifests.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_kit.settings import ServiceSettings
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_portal.settings import PortalSettings
from kinlink_sms.bootstrap import SmsSettings
from kinlink_visitation.bootstrap import VisitationSettings
from pydantic import TypeAdapter

from tests.deploy.custom_resources import resources_of
from tests.deploy.manifests import K8S
from tests.deploy.manifests import OVERLAYS
from tests.deploy.manifests import Doc
from tests.deploy.manifests import kustomization
from tests.deploy.manifests import load_yaml
from tests.deploy.manifests import named
from tests.deploy.manifests import of_kind
from tests.deploy.manifests import overlay

SECRET_EXAMPLE = K8S / "secret.example.yaml"

DEFAULT_GRPC_PORT = 50051  # kinlink_kit.settings.ServiceSettings.grpc_port
DEFAULT_GRACE_SECONDS = 10.0  # ServiceSettings.shutdown_grace_seconds
HEALTH_PATH = "/healthz"  # the portal's (kinlink_portal.app)
FROM_SECRET = object()  # an env value that comes from elsewhere (secretKeyRef, fieldRef, ...)


# --- the rendered overlays ------------------------------------------------------------------------


def configmaps_in(docs: tuple[Doc, ...] | list[Doc]) -> dict[str, dict[str, str]]:
    return {d["metadata"]["name"]: d.get("data", {}) for d in of_kind(docs, "ConfigMap")}


def read_env_file(path: Path) -> dict[str, str]:
    """A kustomize env file: KEY=VALUE lines, # comments."""
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
            pairs[key.strip()] = value
    return pairs


def generated_configmap(directory: Path, spec: Doc) -> dict[str, str]:
    data: dict[str, str] = {}
    for env_file in spec.get("envs", []):
        data.update(read_env_file(directory / env_file))
    for literal in spec.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    return data


def components() -> list[Path]:
    return sorted(p.parent for p in (K8S / "components").glob("*/kustomization.yaml"))


def kustomizations_used() -> Iterator[Path]:
    """Every kustomization an overlay builds from, the overlays' own included."""
    seen: set[Path] = set()
    todo = [K8S / "overlays" / name for name in OVERLAYS]
    while todo:
        directory = todo.pop().resolve()
        if directory in seen:
            continue
        seen.add(directory)
        yield directory
        doc = kustomization(directory)
        for entry in [*doc.get("resources", []), *doc.get("components", [])]:
            path = (directory / entry).resolve()
            assert path.exists(), f"{directory.name}/kustomization.yaml lists missing {entry}"
            if path.is_dir():
                todo.append(path)


# --- what a container ends up with ----------------------------------------------------------------


def effective_env(container: Doc, configmaps: dict[str, dict[str, str]]) -> dict[str, object]:
    env: dict[str, object] = {}
    for source in container.get("envFrom", []):
        assert "prefix" not in source, "envFrom with a prefix: the names cannot be checked"
        ref = source.get("configMapRef")
        assert ref is not None, f"envFrom {source}: only ConfigMaps, whose keys can be checked"
        assert ref["name"] in configmaps, f"envFrom names unknown ConfigMap {ref['name']}"
        env.update(configmaps[ref["name"]])
    for var in container.get("env", []):
        env[var["name"]] = var.get("value", FROM_SECRET)
    return env


def memory_bytes(quantity: str) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?", str(quantity))
    assert match, f"unreadable memory quantity {quantity!r}"
    return float(match[1]) * units.get(match[2] or "", 1)


def pre_stop_seconds(container: Doc) -> float:
    pre_stop = container.get("lifecycle", {}).get("preStop", {})
    if "sleep" in pre_stop:
        return float(pre_stop["sleep"]["seconds"])
    command = pre_stop.get("exec", {}).get("command", [])
    if len(command) == 2 and command[0] in ("sleep", "/bin/sleep"):
        return float(command[1])
    return 0.0


def check_probes(where: str, container: Doc, env: dict[str, object]) -> None:
    """A service is probed over gRPC health on its gRPC port; the web portal (the one with an
    HTTP port) on its /healthz page."""
    web = "KINLINK_HTTP_PORT" in env
    port = int(
        str(env["KINLINK_HTTP_PORT"] if web else env.get("KINLINK_GRPC_PORT", DEFAULT_GRPC_PORT))
    )
    ports = [p["containerPort"] for p in container.get("ports", [])]
    assert port in ports, f"{where} does not declare its port {port}"
    for probe in ("readinessProbe", "livenessProbe"):
        action = (container.get(probe) or {}).get("httpGet" if web else "grpc")
        assert action is not None, f"{where} has no {'HTTP' if web else 'gRPC'} {probe}"
        assert action["port"] == port, f"{where} {probe} is not on port {port}"
        if web:
            assert action["path"] == HEALTH_PATH, f"{where} {probe} is not on {HEALTH_PATH}"


def check_locked_down(where: str, container: Doc, pod_security: Doc) -> None:
    """Non-root, read-only root filesystem, no privilege escalation, no capabilities, and a
    memory limit at least as big as the request."""
    security = container.get("securityContext") or {}
    run_as_non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
    assert run_as_non_root is True, f"{where}: runAsNonRoot"
    assert security.get("runAsUser", pod_security.get("runAsUser")) != 0, f"{where}: root"
    assert security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem"
    assert security.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation"
    assert security.get("privileged", False) is False, f"{where}: privileged"
    capabilities = security.get("capabilities") or {}
    assert "ALL" in (capabilities.get("drop") or []), f"{where}: drop ALL"
    seccomp = security.get("seccompProfile") or pod_security.get("seccompProfile") or {}
    assert seccomp.get("type") == "RuntimeDefault", f"{where}: seccompProfile"

    resources = container.get("resources") or {}
    limit = (resources.get("limits") or {}).get("memory")
    assert limit is not None, f"{where} has no memory limit"
    request = (resources.get("requests") or {}).get("memory")
    if request is not None:
        assert memory_bytes(request) <= memory_bytes(limit), f"{where}: request > limit"


def check_deployment(deployment: Doc, configmaps: dict[str, dict[str, str]]) -> None:
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext") or {}
    assert pod.get("automountServiceAccountToken") is False, f"{name}: no Kubernetes API token"
    containers = pod["containers"] + pod.get("initContainers", [])
    assert containers, name
    for container in containers:
        where = f"{name}/{container['name']}"
        env = effective_env(container, configmaps)

        names = [n for n in env if not n.startswith("KINLINK_")]
        assert not names, f"{where} sets variables outside KINLINK_*: {names}"
        for var in container.get("env", []):
            if "value" in var:
                assert isinstance(var["value"], str), f"{where}: {var['name']} must be a string"

        check_probes(where, container, env)

        check_locked_down(where, container, pod_security)

        grace = float(str(env.get("KINLINK_SHUTDOWN_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)))
        budget = grace + pre_stop_seconds(container)
        termination = pod.get("terminationGracePeriodSeconds", 30)
        assert termination > budget, (
            f"{name}: terminationGracePeriodSeconds {termination} is not more than the "
            f"preStop delay plus KINLINK_SHUTDOWN_GRACE_SECONDS ({budget:g})"
        )

    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    if annotations.get("prometheus.io/scrape") == "true":
        envs = [effective_env(c, configmaps) for c in pod["containers"]]
        metrics_ports = {str(env.get("KINLINK_METRICS_PORT", "0")) for env in envs}
        assert annotations.get("prometheus.io/port") in metrics_ports - {"0"}, (
            f"{name}: prometheus.io/port does not match KINLINK_METRICS_PORT {metrics_ports}"
        )


# --- each overlay -------------------------------------------------------------------------------


WORKLOADS = [
    (name, doc)
    for name in OVERLAYS
    for doc in [*of_kind(overlay(name), "Deployment"), *of_kind(overlay(name), "Job")]
]
WORKLOAD_IDS = [f"{name}-{doc['kind']}-{doc['metadata']['name']}" for name, doc in WORKLOADS]
DEPLOYMENTS = [(name, doc) for name, doc in WORKLOADS if doc["kind"] == "Deployment"]
DEPLOYMENT_IDS = [f"{name}-{doc['metadata']['name']}" for name, doc in DEPLOYMENTS]
MIGRATIONS = [(name, doc) for name, doc in WORKLOADS if doc["kind"] == "Job"]
MIGRATION_IDS = [f"{name}-{doc['metadata']['name']}" for name, doc in MIGRATIONS]


def configmaps(overlay_name: str) -> dict[str, dict[str, str]]:
    return configmaps_in(overlay(overlay_name))


def server_env(overlay_name: str, deployment: Doc) -> dict[str, object]:
    """The variables a Deployment's one container is given."""
    (server,) = deployment["spec"]["template"]["spec"]["containers"]
    return effective_env(server, configmaps(overlay_name))


def test_there_are_deployments() -> None:
    for name in OVERLAYS:
        assert of_kind(overlay(name), "Deployment"), f"overlay {name} deploys nothing"


@pytest.mark.parametrize(("overlay_name", "deployment"), DEPLOYMENTS, ids=DEPLOYMENT_IDS)
def test_deployment(overlay_name: str, deployment: Doc) -> None:
    check_deployment(deployment, configmaps(overlay_name))


@pytest.mark.parametrize(("overlay_name", "job"), MIGRATIONS, ids=MIGRATION_IDS)
def test_migration_is_locked_down(overlay_name: str, job: Doc) -> None:
    """A migration holds the database's credentials like its service: the same locked-down pod,
    no token for the Kubernetes API."""
    pod = job["spec"]["template"]["spec"]
    assert pod.get("automountServiceAccountToken") is False, job["metadata"]["name"]
    assert pod["containers"] and not pod.get("initContainers"), job["metadata"]["name"]
    for container in pod["containers"]:
        where = f"{overlay_name}: {job['metadata']['name']}/{container['name']}"
        check_locked_down(where, container, pod.get("securityContext") or {})


def test_every_service_is_deployed_with_its_token_keys() -> None:
    """Each service verifies tokens itself, so each needs identity's public keys (the portal
    verifies none: it passes the visitor's on)."""
    for overlay_name, deployment in DEPLOYMENTS:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            env = effective_env(container, configmaps(overlay_name))
            if "KINLINK_HTTP_PORT" not in env:
                name = deployment["metadata"]["name"]
                assert env.get("KINLINK_JWT_PUBLIC_KEYS") is FROM_SECRET, name


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_the_portal_is_deployed_with_secure_cookies_and_a_cookie_secret(overlay_name: str) -> None:
    env = server_env(overlay_name, named(overlay(overlay_name), "Deployment", "portal"))
    assert env["KINLINK_SECURE_COOKIES"] == "true"
    assert env["KINLINK_COOKIE_SECRET"] is FROM_SECRET
    assert env["KINLINK_IDENTITY_TARGET"] == "identity:50051"


# Each Deployment's settings class: a variable it is given that no setting reads is a typo that
# would silently leave the default in place.
SETTINGS_OF = {
    "identity": IdentitySettings,
    "ledger": LedgerSettings,
    "messaging": MessagingSettings,
    "portal": PortalSettings,
    "sms-gateway": SmsSettings,
    "commissary": CommissarySettings,
    "visitation": VisitationSettings,
}


def service_of(workload: Doc) -> str:
    return str(workload["metadata"]["labels"]["app.kubernetes.io/name"])


WORKER = "worker"  # the component of a service's pods that take no calls (decision 0104)


def component_of(workload: Doc) -> str:
    return str(workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"])


@pytest.mark.parametrize(("overlay_name", "workload"), WORKLOADS, ids=WORKLOAD_IDS)
def test_every_variable_a_workload_is_given_is_a_setting_of_its_service(
    overlay_name: str, workload: Doc
) -> None:
    settings = SETTINGS_OF[service_of(workload)]
    read = {f"KINLINK_{name.upper()}" for name in settings.model_fields}
    for container in workload["spec"]["template"]["spec"]["containers"]:
        given = set(effective_env(container, configmaps(overlay_name)))
        assert given - read == set(), workload["metadata"]["name"]


# ServiceSettings' switches that put a process among the candidates of an election (decisions
# 0098, 0104), and the services deployed with a worker that alone stands in them.
ELECTIONS = ("outbox_relay", "projections")
WITH_A_WORKER = {"ledger"}


def stands_in(overlay_name: str, deployment: Doc, election: str) -> bool:
    """Whether a Deployment's pods are candidates in `election`, as its service reads its
    variables (unset: the settings' default)."""
    variable = f"KINLINK_{election.upper()}"
    value = server_env(overlay_name, deployment).get(
        variable, ServiceSettings.model_fields[election].default
    )
    assert value is not FROM_SECRET, f"{variable} is not a literal"
    return TypeAdapter(bool).validate_python(value)


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_a_worker_alone_stands_in_its_services_elections(overlay_name: str) -> None:
    """The ledger's answering pods stay out of the elections and its worker's stand in both; a
    service without a worker stands in both, or nobody would relay its events."""
    deployments = [d for name, d in DEPLOYMENTS if name == overlay_name]
    for service in {service_of(d) for d in deployments}:
        if "database" not in SETTINGS_OF[service].model_fields:
            continue
        own = [d for d in deployments if service_of(d) == service]
        expected = f"{service}-worker" if service in WITH_A_WORKER else service
        for election in ELECTIONS:
            candidates = [
                d["metadata"]["name"] for d in own if stands_in(overlay_name, d, election)
            ]
            assert candidates == [expected], (service, election)
    workers = {service_of(d) for d in deployments if component_of(d) == WORKER}
    assert workers == WITH_A_WORKER


def test_every_yaml_file_is_checked() -> None:
    """No manifest escapes the checks: each YAML file is a kustomization an overlay builds from,
    a resource or a patch it names, or the secret example. (kafka/ and monitoring/ hold the
    custom resources their own tests check.)"""
    known = {SECRET_EXAMPLE.resolve()}
    for directory in [*kustomizations_used(), *components()]:
        known.add(directory / "kustomization.yaml")
        doc = kustomization(directory)
        known.update((directory / entry).resolve() for entry in doc.get("resources", []))
        known.update(
            (directory / patch["path"]).resolve()
            for patch in doc.get("patches", [])
            if "path" in patch
        )
    theirs = [K8S / "kafka", K8S / "monitoring"]
    files = {
        p.resolve()
        for p in K8S.rglob("*.y*ml")
        if not any(p.is_relative_to(folder) for folder in theirs)
    }
    assert files - known == set(), f"YAML files no kustomization uses: {sorted(files - known)}"


TLS_KEYS = ("tls.crt", "tls.key")  # what an Ingress's TLS Secret holds


def strimzi_made_secrets() -> set[str]:
    """Secrets Strimzi's operators make in the namespace, not Kinlink's operator: each KafkaUser's
    (its password) and each Kafka cluster's CA certificate."""
    kafka = resources_of(K8S / "kafka")
    users = {user["metadata"]["name"] for user in of_kind(kafka, "KafkaUser")}
    clusters = {cluster["metadata"]["name"] for cluster in of_kind(kafka, "Kafka")}
    return users | {f"{cluster}-cluster-ca-cert" for cluster in clusters}


def secret_references(docs: tuple[Doc, ...]) -> set[tuple[str, str]]:
    """The (Secret, key)s the workloads' variables and volumes and the Ingresses' certificates
    name, but those Strimzi makes."""
    workloads = [*of_kind(docs, "Deployment"), *of_kind(docs, "Job")]
    variables = {
        (ref["name"], ref["key"])
        for doc in workloads
        for container in doc["spec"]["template"]["spec"]["containers"]
        for var in container.get("env", [])
        if (ref := var.get("valueFrom", {}).get("secretKeyRef")) is not None
    }
    volumes = {
        (volume["secret"]["secretName"], item["key"])
        for doc in workloads
        for volume in doc["spec"]["template"]["spec"].get("volumes", [])
        if "secret" in volume
        for item in volume["secret"]["items"]  # keys named, so that they can be checked
    }
    certificates = {
        (tls["secretName"], key)
        for ingress in of_kind(docs, "Ingress")
        for tls in ingress["spec"].get("tls", [])
        for key in TLS_KEYS
    }
    return {
        (name, key)
        for name, key in variables | volumes | certificates
        if name not in strimzi_made_secrets()
    }


def test_the_secret_example_is_not_applied_and_holds_exactly_the_keys_referenced() -> None:
    """Every Secret key a workload reads is in the example (with what to put there), and the
    example holds nothing no overlay reads."""
    for name in OVERLAYS:
        assert of_kind(overlay(name), "Secret") == [], f"overlay {name} applies a Secret"
    example = {
        (doc["metadata"]["name"], key)
        for doc in load_yaml(SECRET_EXAMPLE)
        if doc["kind"] == "Secret"
        for key in [*doc.get("stringData", {}), *doc.get("data", {})]
    }
    referenced = set().union(*(secret_references(overlay(name)) for name in OVERLAYS))
    assert referenced - example == set(), "secret.example.yaml lacks these (Secret, key)s"
    assert example - referenced == set(), "secret.example.yaml has (Secret, key)s nobody reads"


@pytest.mark.parametrize("component", components(), ids=lambda p: p.name)
def test_component_sets_only_kinlink_variables(component: Path) -> None:
    doc = kustomization(component)
    assert doc["kind"] == "Component"
    for spec in doc.get("configMapGenerator", []):
        keys = generated_configmap(component, spec)
        assert all(k.startswith("KINLINK_") for k in keys), f"{component.name}: {sorted(keys)}"
    for patch in doc.get("patches", []):
        for patched in load_yaml(component / patch["path"]) if "path" in patch else []:
            for container in patched["spec"]["template"]["spec"]["containers"]:
                names = [v["name"] for v in container.get("env", [])]
                assert all(n.startswith("KINLINK_") for n in names), f"{component.name}: {names}"


def test_stripe_component_switches_the_processor() -> None:
    stripe = K8S / "components" / "stripe"
    specs = {spec["name"]: spec for spec in kustomization(stripe)["configMapGenerator"]}
    assert {spec["behavior"] for spec in specs.values()} == {"merge"}
    ledger = generated_configmap(stripe, specs["ledger-config"])
    identity = generated_configmap(stripe, specs["identity-config"])
    assert ledger["KINLINK_PAYMENT_PROCESSOR"] == identity["KINLINK_CARD_PROCESSOR"] == "stripe"
    portal = generated_configmap(stripe, specs["portal-config"])
    assert portal["KINLINK_CARD_ENTRY"] == "stripe_elements"
