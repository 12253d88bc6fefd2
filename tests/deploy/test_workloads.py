"""The Kubernetes manifests in deploy/k8s keep the promises the services rely on.

Every Deployment: readiness and liveness probes (gRPC on a service's gRPC port; HTTP /healthz on
the web portal's port), a locked-down container
(non-root, read-only root filesystem, no privilege escalation, all capabilities dropped), a memory
limit, a termination grace period longer than the service's own drain, only KINLINK_* variables,
and the public keys that verify tokens. (Every replica may run the outbox relay: they elect one.)

The checks run on the files as written (the kustomization's resources and generated ConfigMaps,
resolved here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_portal.settings import PortalSettings
from kinlink_sms.bootstrap import SmsSettings
from kinlink_visitation.bootstrap import VisitationSettings

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
SECRET_EXAMPLE = K8S / "secret.example.yaml"

DEFAULT_GRPC_PORT = 50051  # kinlink_kit.settings.ServiceSettings.grpc_port
DEFAULT_GRACE_SECONDS = 10.0  # ServiceSettings.shutdown_grace_seconds
HEALTH_PATH = "/healthz"  # the portal's (kinlink_portal.app)
FROM_SECRET = object()  # an env value that comes from elsewhere (secretKeyRef, fieldRef, ...)

Doc = dict[str, Any]


# --- loading the files as written ---------------------------------------------------------------


def load_yaml(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


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
    for entry in spec.get("files", []):
        key, sep, file = entry.partition("=")
        data[key if sep else Path(entry).name] = (directory / (file if sep else entry)).read_text()
    return data


def kustomization(directory: Path) -> Doc:
    (doc,) = load_yaml(directory / "kustomization.yaml")
    return doc


def base_files(directory: Path = K8S) -> Iterator[Path]:
    """The files a kustomization's `resources` name, following nested kustomizations."""
    for entry in kustomization(directory).get("resources", []):
        path = (directory / entry).resolve()
        assert path.exists(), f"{directory.name}/kustomization.yaml lists missing {entry}"
        if path.is_dir():
            yield path / "kustomization.yaml"
            yield from base_files(path)
        else:
            yield path


def configmaps_in(docs: list[Doc]) -> dict[str, dict[str, str]]:
    return {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}


def base_objects() -> tuple[list[Doc], dict[str, dict[str, str]]]:
    """The base's objects as written, and its ConfigMaps (plain and generated) by name."""
    files = [path for path in base_files() if path.name != "kustomization.yaml"]
    docs = [doc for path in files for doc in load_yaml(path)]
    configmaps = configmaps_in(docs)
    for spec in kustomization(K8S).get("configMapGenerator", []):
        configmaps[spec["name"]] = generated_configmap(K8S, spec)
    return docs, configmaps


def components() -> list[Path]:
    return sorted(p.parent for p in (K8S / "components").glob("*/kustomization.yaml"))


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


def check_deployment(deployment: Doc, configmaps: dict[str, dict[str, str]]) -> None:
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext") or {}
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

        security = container.get("securityContext") or {}
        run_as_non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
        assert run_as_non_root is True, f"{where}: runAsNonRoot"
        assert security.get("runAsUser", pod_security.get("runAsUser")) != 0, f"{where}: root"
        assert security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem"
        assert security.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation"
        assert security.get("privileged", False) is False, f"{where}: privileged"
        capabilities = security.get("capabilities") or {}
        assert "ALL" in (capabilities.get("drop") or []), f"{where}: drop ALL"
        seccomp = security.get("seccompProfile", pod_security.get("seccompProfile", {}))
        assert seccomp.get("type") == "RuntimeDefault", f"{where}: seccompProfile"

        resources = container.get("resources") or {}
        limit = (resources.get("limits") or {}).get("memory")
        assert limit is not None, f"{where} has no memory limit"
        request = (resources.get("requests") or {}).get("memory")
        if request is not None:
            assert memory_bytes(request) <= memory_bytes(limit), f"{where}: request > limit"

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


def deployments_of(docs: list[Doc]) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == "Deployment"]


# --- the files as written -------------------------------------------------------------------------


BASE_DOCS, BASE_CONFIGMAPS = base_objects()
BASE_DEPLOYMENTS = deployments_of(BASE_DOCS)


def test_there_are_deployments() -> None:
    assert BASE_DEPLOYMENTS, "deploy/k8s defines no Deployment"


@pytest.mark.parametrize(
    "deployment", BASE_DEPLOYMENTS, ids=[d["metadata"]["name"] for d in BASE_DEPLOYMENTS]
)
def test_deployment(deployment: Doc) -> None:
    check_deployment(deployment, BASE_CONFIGMAPS)


def test_every_service_is_deployed_with_its_token_keys() -> None:
    """Each service verifies tokens itself, so each needs identity's public keys (the portal
    verifies none: it passes the visitor's on)."""
    for deployment in BASE_DEPLOYMENTS:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            env = effective_env(container, BASE_CONFIGMAPS)
            if "KINLINK_HTTP_PORT" not in env:
                name = deployment["metadata"]["name"]
                assert env.get("KINLINK_JWT_PUBLIC_KEYS") is FROM_SECRET, name


def test_the_portal_is_deployed_with_secure_cookies_and_a_cookie_secret() -> None:
    (portal,) = [d for d in BASE_DEPLOYMENTS if d["metadata"]["name"] == "portal"]
    (container,) = portal["spec"]["template"]["spec"]["containers"]
    env = effective_env(container, BASE_CONFIGMAPS)
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


@pytest.mark.parametrize(
    "deployment", BASE_DEPLOYMENTS, ids=[d["metadata"]["name"] for d in BASE_DEPLOYMENTS]
)
def test_every_variable_a_deployment_is_given_is_a_setting_of_its_service(
    deployment: Doc,
) -> None:
    settings = SETTINGS_OF[deployment["metadata"]["name"]]
    read = {f"KINLINK_{name.upper()}" for name in settings.model_fields}
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        given = set(effective_env(container, BASE_CONFIGMAPS))
        assert given - read == set(), deployment["metadata"]["name"]


def test_every_yaml_file_is_checked() -> None:
    """No manifest escapes the checks: each YAML file is a kustomization, a resource it lists,
    a patch it names, or the secret example."""
    known = {SECRET_EXAMPLE.resolve(), *(p.resolve() for p in base_files())}
    for directory in [K8S, *components()]:
        known.add((directory / "kustomization.yaml").resolve())
        for patch in kustomization(directory).get("patches", []):
            if "path" in patch:
                known.add((directory / patch["path"]).resolve())
    files = {p.resolve() for p in K8S.rglob("*.y*ml")}
    assert files - known == set(), f"YAML files no kustomization uses: {sorted(files - known)}"


def test_the_secret_example_is_not_applied_and_has_every_key() -> None:
    listed = {p.resolve() for p in base_files()}
    assert SECRET_EXAMPLE.resolve() not in listed, "secret.example.yaml holds placeholders only"
    secrets = {
        doc["metadata"]["name"]: set(doc.get("stringData", {})) | set(doc.get("data", {}))
        for doc in load_yaml(SECRET_EXAMPLE)
        if doc["kind"] == "Secret"
    }
    patches = [
        doc
        for directory in components()
        for patch in kustomization(directory).get("patches", [])
        if "path" in patch
        for doc in load_yaml(directory / patch["path"])
    ]
    for doc in [*BASE_DEPLOYMENTS, *patches]:
        for container in doc["spec"]["template"]["spec"]["containers"]:
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref is not None:
                    assert ref["key"] in secrets.get(ref["name"], set()), (
                        f"{var['name']}: secret.example.yaml lacks {ref['name']}/{ref['key']}"
                    )


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
