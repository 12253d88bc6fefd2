"""Each overlay deploys every service whole, labelled and wired as the rest of deploy/ expects.

Every service has its base (Deployment, Service, ServiceAccount, PodDisruptionBudget,
NetworkPolicy, and a migration Job when it has a database: its settings name one); the labels
are the shared ones; the ports carry the shared names; a Service and a budget select the
service's pods, never its migration's. dev runs one replica that creates its own tables; prod
runs two or more, spread, keeps one through a drain, and leaves the tables to the migrations.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from kinlink_sms.adapters.twilio_settings import INBOUND_ROUTE
from kinlink_sms.adapters.twilio_settings import STATUS_ROUTE

from tests.deploy.manifests import K8S
from tests.deploy.manifests import OVERLAYS
from tests.deploy.manifests import Doc
from tests.deploy.manifests import kustomization
from tests.deploy.manifests import named
from tests.deploy.manifests import of_kind
from tests.deploy.manifests import overlay
from tests.deploy.test_network_policies import container_ports
from tests.deploy.test_network_policies import pod_labels
from tests.deploy.test_network_policies import selects
from tests.deploy.test_workloads import SETTINGS_OF
from tests.deploy.test_workloads import server_env

SERVICES = sorted(SETTINGS_OF)
WITH_DATABASE = sorted(s for s in SERVICES if "database" in SETTINGS_OF[s].model_fields)
NAMESPACE = "kinlink"
PORTS = {"grpc": 50051, "metrics": 9090, "http": 8080}
WEBHOOKS = {"sms-gateway", "visitation"}  # Twilio's and LiveKit's callbacks


def component(service: str) -> str:
    return "portal" if service == "portal" else "service"


def migration(docs: tuple[Doc, ...], service: str) -> Doc:
    return named(docs, "Job", f"{service}-migrate")


def test_the_services_with_a_database_are_the_ones_expected() -> None:
    assert sorted(set(SERVICES) - {"portal"}) == WITH_DATABASE


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_every_service_is_deployed_whole_from_its_base(overlay_name: str) -> None:
    listed = kustomization(K8S / "overlays" / overlay_name)["resources"]
    docs = overlay(overlay_name)
    for service in SERVICES:
        assert f"../../base/{service}" in listed, f"{overlay_name} lacks base/{service}"
        for kind in (
            "Deployment",
            "Service",
            "ServiceAccount",
            "PodDisruptionBudget",
            "NetworkPolicy",
        ):
            named(docs, kind, service)
    jobs = sorted(j["metadata"]["name"] for j in of_kind(docs, "Job"))
    assert jobs == [f"{s}-migrate" for s in WITH_DATABASE]
    assert [r for r in listed if not r.startswith("../../base")] == [
        "../../kafka",
        "../../monitoring",
    ]


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_every_object_is_labelled_and_in_the_namespace(overlay_name: str) -> None:
    for doc in overlay(overlay_name):
        where = f"{doc['kind']} {doc['metadata']['name']}"
        labels = doc["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "kinlink", where
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, where
        if "template" in doc.get("spec", {}):
            template = doc["spec"]["template"]["metadata"]["labels"]
            assert template["app.kubernetes.io/part-of"] == "kinlink", where
            assert template["app.kubernetes.io/name"] == labels["app.kubernetes.io/name"], where
            assert template["app.kubernetes.io/component"] in ("service", "portal", "migration")


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_services_and_budgets_select_the_serving_pods_not_the_migrations(overlay_name: str) -> None:
    docs = overlay(overlay_name)
    for service in SERVICES:
        serving = pod_labels(named(docs, "Deployment", service))
        assert serving["app.kubernetes.io/component"] == component(service)
        assert named(docs, "Service", service)["spec"]["selector"].items() <= serving.items()
        budget = named(docs, "PodDisruptionBudget", service)["spec"]["selector"]
        policy = named(docs, "NetworkPolicy", service)["spec"]["podSelector"]
        assert selects(budget, serving) and selects(policy, serving), service
        if service in WITH_DATABASE:
            migrating = pod_labels(migration(docs, service))
            assert migrating["app.kubernetes.io/component"] == "migration"
            assert (
                not named(docs, "Service", service)["spec"]["selector"].items() <= migrating.items()
            )
            assert not selects(budget, migrating) and not selects(policy, migrating), service


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_ports_carry_the_shared_names(overlay_name: str) -> None:
    docs = overlay(overlay_name)
    for service in SERVICES:
        ports = {
            p["name"]: p["containerPort"]
            for p in container_ports(named(docs, "Deployment", service))
        }
        expected = {"metrics", "http" if service == "portal" else "grpc"}
        expected |= {"webhook"} if service in WEBHOOKS else set()
        assert set(ports) == expected, service
        assert all(ports[name] == PORTS[name] for name in expected - {"webhook"}), service
        for port in named(docs, "Service", service)["spec"]["ports"]:
            assert port["targetPort"] == port["name"] and port["name"] in ports, service


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_each_migration_runs_its_services_image_settings_and_database(overlay_name: str) -> None:
    docs = overlay(overlay_name)
    for service in WITH_DATABASE:
        (server,) = named(docs, "Deployment", service)["spec"]["template"]["spec"]["containers"]
        job = migration(docs, service)["spec"]["template"]["spec"]
        (migrate,) = job["containers"]
        assert migrate["args"] == ["migrate"] and "command" not in migrate, service
        assert job["restartPolicy"] == "Never"
        assert migrate["image"] == server["image"], service
        assert migrate["envFrom"] == server["envFrom"], service
        dsn = [v for v in server["env"] if v["name"] == "KINLINK_POSTGRES_DSN"]
        assert [v for v in migrate["env"] if v["name"] == "KINLINK_POSTGRES_DSN"] == dsn


def settings_given(overlay_name: str, service: str) -> dict[str, object]:
    return server_env(overlay_name, named(overlay(overlay_name), "Deployment", service))


def test_dev_runs_one_replica_that_creates_its_tables() -> None:
    docs = overlay("dev")
    for service in SERVICES:
        assert named(docs, "Deployment", service)["spec"]["replicas"] == 1, service
        assert named(docs, "PodDisruptionBudget", service)["spec"] == {
            "maxUnavailable": 1,
            "selector": named(docs, "PodDisruptionBudget", service)["spec"]["selector"],
        }
        assert settings_given("dev", service).get("KINLINK_CREATE_TABLES", "true") == "true"


def test_prod_keeps_a_replica_through_drains_and_leaves_tables_to_the_migrations() -> None:
    docs = overlay("prod")
    for service in SERVICES:
        deployment = named(docs, "Deployment", service)["spec"]
        assert deployment["replicas"] >= 2, service
        assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, service
        spread = deployment["template"]["spec"]["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} == {
            "kubernetes.io/hostname",
            "topology.kubernetes.io/zone",
        }
        budget = named(docs, "PodDisruptionBudget", service)["spec"]
        assert budget["minAvailable"] == 1 and "maxUnavailable" not in budget, service
        if service in WITH_DATABASE:
            assert settings_given("prod", service)["KINLINK_CREATE_TABLES"] == "false", service


def test_prod_takes_real_payments() -> None:
    assert settings_given("prod", "ledger")["KINLINK_PAYMENT_PROCESSOR"] == "stripe"
    assert settings_given("prod", "identity")["KINLINK_CARD_PROCESSOR"] == "stripe"
    assert settings_given("prod", "portal")["KINLINK_CARD_ENTRY"] == "stripe_elements"
    assert settings_given("dev", "ledger")["KINLINK_PAYMENT_PROCESSOR"] == "simulated"


def test_prod_serves_the_public_addresses_the_settings_name_behind_tls() -> None:
    """Identity's emails link to KINLINK_PUBLIC_URL and Twilio calls (and signs) the gateway's
    KINLINK_SMS_WEBHOOK_PUBLIC_URL: the Ingress must serve exactly those, over TLS, and reach a
    Service port that exists."""
    docs = overlay("prod")
    (ingress,) = of_kind(docs, "Ingress")
    backends = {
        rule["host"]: (path["path"], path["backend"]["service"])
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    public = urlsplit(str(settings_given("prod", "identity")["KINLINK_PUBLIC_URL"]))
    webhook = urlsplit(str(settings_given("prod", "sms-gateway")["KINLINK_SMS_WEBHOOK_PUBLIC_URL"]))
    assert public.scheme == webhook.scheme == "https"
    assert backends[public.hostname] == ("/", {"name": "portal", "port": {"name": "http"}})
    path, service = backends[webhook.hostname]
    assert service == {"name": "sms-gateway", "port": {"name": "webhook"}}
    assert INBOUND_ROUTE.startswith(path) and STATUS_ROUTE.startswith(path)
    assert set(backends) == {public.hostname, webhook.hostname}
    (tls,) = ingress["spec"]["tls"]
    assert set(tls["hosts"]) == set(backends)
    for _, service in backends.values():
        ports = [p["name"] for p in named(docs, "Service", service["name"])["spec"]["ports"]]
        assert service["port"]["name"] in ports
