"""The network policies let exactly the real gRPC calls through, and nothing else in the namespace.

The call graph comes from the code: every `*_target` setting of a service's settings class is a
gRPC service it calls, and its ConfigMap names which (`ledger:50051`). The policies are read as
the cluster reads them: a connection passes when a policy selecting the caller allows it out and
one selecting the callee allows it in (the namespace denies everything else).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.deploy.manifests import OVERLAYS
from tests.deploy.manifests import Doc
from tests.deploy.manifests import named
from tests.deploy.manifests import of_kind
from tests.deploy.manifests import overlay
from tests.deploy.test_workloads import DEPLOYMENT_IDS
from tests.deploy.test_workloads import DEPLOYMENTS
from tests.deploy.test_workloads import SETTINGS_OF
from tests.deploy.test_workloads import WORKER
from tests.deploy.test_workloads import component_of
from tests.deploy.test_workloads import server_env
from tests.deploy.test_workloads import service_of

SERVICES = sorted(SETTINGS_OF)


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        assert operator in ("Exists", "In"), f"unsupported here: {expression}"
        if key not in labels or (operator == "In" and labels[key] not in expression["values"]):
            return False
    return True


def pod_labels(workload: Doc) -> dict[str, str]:
    return dict(workload["spec"]["template"]["metadata"]["labels"])


def container_ports(workload: Doc) -> list[Doc]:
    return [
        p for c in workload["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])
    ]


def peer_admits(peer: Doc, labels: dict[str, str]) -> bool:
    """A peer in this namespace: a podSelector alone (a namespaceSelector means elsewhere)."""
    return (
        "namespaceSelector" not in peer
        and "ipBlock" not in peer
        and selects(peer.get("podSelector", {}), labels)
    )


def port_admits(rule_ports: list[Doc] | None, port: Doc) -> bool:
    if not rule_ports:
        return True
    return any(p.get("port") in (port["name"], port["containerPort"]) for p in rule_ports)


def allows(
    policies: list[Doc], direction: str, labels: dict[str, str], peer: dict[str, str], port: Doc
) -> bool:
    """Whether the policies selecting a pod with `labels` let it talk with `peer` on `port`
    (`direction`: "ingress" from the peer, "egress" to it)."""
    key = "from" if direction == "ingress" else "to"
    chosen = [
        p
        for p in policies
        if selects(p["spec"]["podSelector"], labels)
        and direction.capitalize() in p["spec"]["policyTypes"]
    ]
    assert chosen, (
        f"no policy restricts {direction} of {labels}: the namespace must deny by default"
    )
    return any(
        port_admits(rule.get("ports"), port)
        and (key not in rule or any(peer_admits(p, peer) for p in rule[key]))
        for policy in chosen
        for rule in policy["spec"].get(direction) or []
    )


def calls_in_code(overlay_name: str, deployment: Doc) -> set[str]:
    """The Services a workload calls: the hosts its `*_target` settings are given."""
    name = deployment["metadata"]["name"]
    env = server_env(overlay_name, deployment)
    callees = set()
    for field in SETTINGS_OF[service_of(deployment)].model_fields:
        if field.endswith("_target"):
            variable = f"KINLINK_{field.upper()}"
            assert variable in env, f"{name}: {variable} unset: it would call its own pod"
            callees.add(str(env[variable]).rsplit(":", 1)[0])
    return callees


def grpc_port(workload: Doc) -> Doc | None:
    return next((p for p in container_ports(workload) if p["name"] == "grpc"), None)


def behind(docs: tuple[Doc, ...], service: str) -> list[str]:
    """The Deployments whose pods a Service's calls reach."""
    selector = named(docs, "Service", service)["spec"]["selector"]
    return [
        d["metadata"]["name"]
        for d in of_kind(docs, "Deployment")
        if selector.items() <= pod_labels(d).items()
    ]


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_exactly_the_grpc_calls_the_code_makes_are_allowed(overlay_name: str) -> None:
    """Between Deployments: a call to a Service reaches the Deployments it selects (so the
    ledger's worker, behind no Service that takes calls, must be reachable by none)."""
    docs = overlay(overlay_name)
    policies = of_kind(docs, "NetworkPolicy")
    deployments = {d["metadata"]["name"]: d for d in of_kind(docs, "Deployment")}
    assert sorted({service_of(d) for d in deployments.values()}) == SERVICES
    in_code = {
        (caller, callee)
        for caller, deployment in deployments.items()
        for service in calls_in_code(overlay_name, deployment)
        for callee in behind(docs, service)
    }
    allowed = set()
    for caller, source in deployments.items():
        for callee, target in deployments.items():
            port = grpc_port(target)
            if (
                port is not None
                and caller != callee
                and (
                    allows(policies, "egress", pod_labels(source), pod_labels(target), port)
                    and allows(policies, "ingress", pod_labels(target), pod_labels(source), port)
                )
            ):
                allowed.add((caller, callee))
    assert in_code - allowed == set(), "calls the code makes that the policies block"
    assert allowed - in_code == set(), "calls the policies allow that the code never makes"
    assert ("portal", "ledger") in allowed and ("ledger", "identity") not in allowed
    assert not [pair for pair in allowed if pair[1] == "ledger-worker"]


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_prometheus_alone_reaches_the_metrics_ports(overlay_name: str) -> None:
    docs = overlay(overlay_name)
    policies = of_kind(docs, "NetworkPolicy")
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        (metrics,) = [p for p in container_ports(deployment) if p["name"] == "metrics"]
        own = named(docs, "NetworkPolicy", name)
        sources = [
            peer
            for rule in own["spec"]["ingress"]
            if port_admits(rule.get("ports"), metrics)
            for peer in rule["from"]
        ]
        prometheus = {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        }
        assert sources == [prometheus], name
        for other in of_kind(docs, "Deployment"):
            assert not allows(
                policies, "ingress", pod_labels(deployment), pod_labels(other), metrics
            ), f"{other['metadata']['name']} may scrape {name}"


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_a_worker_is_reached_on_its_metrics_port_only(overlay_name: str) -> None:
    """A worker takes no calls: no policy selecting its pods admits anyone, from this namespace
    or another, to a port but `metrics` (the exact-calls test covers the workloads here)."""
    docs = overlay(overlay_name)
    workers = [d for d in of_kind(docs, "Deployment") if component_of(d) == WORKER]
    assert workers, f"{overlay_name} deploys no worker"
    for worker in workers:
        labels = pod_labels(worker)
        policies = [
            p for p in of_kind(docs, "NetworkPolicy") if selects(p["spec"]["podSelector"], labels)
        ]
        for port in container_ports(worker):
            admitting = [
                rule
                for policy in policies
                for rule in policy["spec"].get("ingress") or []
                if port_admits(rule.get("ports"), port)
            ]
            assert bool(admitting) == (port["name"] == "metrics"), port["name"]


def ingress_sources(policy: Doc, port: Doc) -> list[Any]:
    return [
        peer
        for rule in policy["spec"]["ingress"]
        if port_admits(rule.get("ports"), port)
        for peer in rule.get("from", [])
    ]


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_the_ingress_controller_reaches_the_portal_and_the_webhooks_only(overlay_name: str) -> None:
    docs = overlay(overlay_name)
    controller = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    }
    reached = set()
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        for port in container_ports(deployment):
            if controller in ingress_sources(named(docs, "NetworkPolicy", name), port):
                reached.add((name, port["name"]))
    assert reached == {("portal", "http"), ("sms-gateway", "webhook"), ("visitation", "webhook")}


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_services_with_a_database_reach_kafka_and_postgresql(overlay_name: str) -> None:
    docs = overlay(overlay_name)
    policies = of_kind(docs, "NetworkPolicy")
    broker = {"strimzi.io/kind": "Kafka", "strimzi.io/cluster": "kinlink"}
    postgres = {"name": "postgresql", "containerPort": 5432}
    kafka = {"name": "tcp-clientstls", "containerPort": 9093}
    workloads = [*of_kind(docs, "Deployment"), *of_kind(docs, "Job")]
    for workload in workloads:
        name = workload["metadata"]["name"]
        labels = pod_labels(workload)
        has_database = "database" in SETTINGS_OF[labels["app.kubernetes.io/name"]].model_fields
        reaches = allows(policies, "egress", labels, {}, postgres)
        assert reaches == has_database, f"{name} and PostgreSQL"
        if workload["kind"] == "Deployment":
            assert allows(policies, "egress", labels, broker, kafka) == has_database, name


# The settings naming a provider a service calls outside the namespace's workloads (SMTP, the
# image store, Twilio, LiveKit), and Stripe's API, which the Stripe component switches on.
PROVIDERS = {
    "identity": ["KINLINK_SMTP_PORT"],
    "messaging": ["KINLINK_S3_ENDPOINT"],
    "sms-gateway": ["KINLINK_TWILIO_API_BASE_URL"],
    "visitation": ["KINLINK_LIVEKIT_URL"],
}
STRIPE = {"identity": "KINLINK_CARD_PROCESSOR", "ledger": "KINLINK_PAYMENT_PROCESSOR"}


def port_named_by(value: str) -> int:
    """A port setting, or the port of a URL setting (its scheme's when it names none)."""
    if value.isdigit():
        return int(value)
    url = urlsplit(value)
    return url.port or {"http": 80, "https": 443}[url.scheme]


@pytest.mark.parametrize(("overlay_name", "deployment"), DEPLOYMENTS, ids=DEPLOYMENT_IDS)
def test_each_service_reaches_the_providers_its_settings_name(
    overlay_name: str, deployment: Doc
) -> None:
    name, service = deployment["metadata"]["name"], service_of(deployment)
    env = server_env(overlay_name, deployment)
    ports = [port_named_by(str(env[variable])) for variable in PROVIDERS.get(service, [])]
    if service in STRIPE and env[STRIPE[service]] == "stripe":
        ports.append(443)
    policies = of_kind(overlay(overlay_name), "NetworkPolicy")
    for port in ports:
        outside = {"name": "", "containerPort": port}
        assert allows(policies, "egress", pod_labels(deployment), {}, outside), (name, port)
