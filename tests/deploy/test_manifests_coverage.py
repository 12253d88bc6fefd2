"""Each overlay deploys every service whole, labelled and wired as the rest of deploy/ expects.

Every service has its base (Deployment, Service, ServiceAccount, PodDisruptionBudget,
NetworkPolicy, and a migration Job when it has a database: its settings name one); the labels
are the shared ones; the ports carry the shared names; a Service and a budget select the
service's pods, never its migration's. A service's worker (decision 0104) runs its pod, with a
budget and a policy of its own, behind no Service that takes calls. Prometheus scrapes every
Deployment's pods once, as their service. dev runs one replica that creates its own tables; prod
runs two or more, spread, keeps one through a drain, and leaves the tables to the migrations.
"""

from __future__ import annotations

import copy
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
from tests.deploy.test_workloads import ELECTIONS
from tests.deploy.test_workloads import SETTINGS_OF
from tests.deploy.test_workloads import WITH_A_WORKER
from tests.deploy.test_workloads import WORKER
from tests.deploy.test_workloads import component_of
from tests.deploy.test_workloads import server_env
from tests.deploy.test_workloads import service_of

SERVICES = sorted(SETTINGS_OF)
WITH_DATABASE = sorted(s for s in SERVICES if "database" in SETTINGS_OF[s].model_fields)
NAMESPACE = "kinlink"
PORTS = {"grpc": 50051, "metrics": 9090, "http": 8080}
WEBHOOKS = {"sms-gateway", "visitation"}  # Twilio's and LiveKit's callbacks


def component(service: str) -> str:
    return "portal" if service == "portal" else "service"


def migration(docs: tuple[Doc, ...], service: str) -> Doc:
    return named(docs, "Job", f"{service}-migrate")


def worker(service: str) -> str:
    """The name of a service's worker's Deployment, Service, budget and network policy."""
    return f"{service}-worker"


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
    for service in WITH_A_WORKER:
        for kind in ("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy"):
            named(docs, kind, worker(service))
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
            assert template["app.kubernetes.io/component"] in (
                "service",
                "portal",
                "migration",
                WORKER,
            )


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
        if service in WITH_A_WORKER:
            working = pod_labels(named(docs, "Deployment", worker(service)))
            assert working["app.kubernetes.io/component"] == WORKER
            own_budget = named(docs, "PodDisruptionBudget", worker(service))["spec"]["selector"]
            own_policy = named(docs, "NetworkPolicy", worker(service))["spec"]["podSelector"]
            assert selects(own_budget, working) and selects(own_policy, working), service
            assert not selects(own_budget, serving) and not selects(own_policy, serving)
            assert not selects(budget, working) and not selects(policy, working), service


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_no_service_routes_calls_to_a_worker(overlay_name: str) -> None:
    """A Service that selects a worker's pods offers their metrics port alone: no call reaches
    a pod that relays and follows in place of one that answers."""
    docs = overlay(overlay_name)
    workers = [d for d in of_kind(docs, "Deployment") if component_of(d) == WORKER]
    assert workers
    for deployment in workers:
        for service in of_kind(docs, "Service"):
            if service["spec"]["selector"].items() <= pod_labels(deployment).items():
                ports = [p["name"] for p in service["spec"]["ports"]]
                assert ports == ["metrics"], service["metadata"]["name"]


def test_the_worker_runs_its_services_pod_with_the_elections_switched_on() -> None:
    """The same image, command, settings, Secrets, probes and security context as the pods that
    answer (sizes may differ): only the election switches tell them apart."""
    for overlay_name in OVERLAYS:
        docs = overlay(overlay_name)
        for service in WITH_A_WORKER:
            answering = pod_without_elections(named(docs, "Deployment", service))
            working = pod_without_elections(named(docs, "Deployment", worker(service)))
            assert working == answering, (overlay_name, service)


def pod_without_elections(deployment: Doc) -> Doc:
    pod = copy.deepcopy(deployment["spec"]["template"]["spec"])
    switches = {f"KINLINK_{election.upper()}" for election in ELECTIONS}
    for container in pod["containers"]:
        container["env"] = [v for v in container.get("env", []) if v["name"] not in switches]
        container.pop("resources", None)
    return dict(pod)


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_every_deployment_is_scraped_once_as_its_service(overlay_name: str) -> None:
    """Each Deployment's pods are endpoints of exactly one Service the ServiceMonitor selects, on
    the monitor's port, and their series are labelled job=<the service> (the alerts group by it)."""
    docs = overlay(overlay_name)
    (monitor,) = of_kind(docs, "ServiceMonitor")
    (endpoint,) = monitor["spec"]["endpoints"]
    scraped = [
        s for s in of_kind(docs, "Service") if selects(monitor["spec"]["selector"], labels_of(s))
    ]
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        scraping = [
            s
            for s in scraped
            if s["spec"]["selector"].items() <= pod_labels(deployment).items()
            and endpoint["port"] in [p["name"] for p in s["spec"]["ports"]]
        ]
        assert len(scraping) == 1, f"{name} is scraped through {len(scraping)} Services"
        (service,) = scraping
        # Prometheus's job: the Service's label the monitor names, else the Service's name.
        job_label = monitor["spec"].get("jobLabel")
        job = labels_of(service)[job_label] if job_label else service["metadata"]["name"]
        assert job == service_of(deployment), name


def labels_of(doc: Doc) -> dict[str, str]:
    return dict(doc["metadata"].get("labels", {}))


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
        if service in WITH_A_WORKER:
            working = named(docs, "Deployment", worker(service))
            assert {p["name"]: p["containerPort"] for p in container_ports(working)} == ports
            (port,) = named(docs, "Service", worker(service))["spec"]["ports"]
            assert port["name"] == port["targetPort"] == "metrics", service


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
    for service in WITH_A_WORKER:
        assert named(docs, "Deployment", worker(service))["spec"]["replicas"] == 1, service
        budget = named(docs, "PodDisruptionBudget", worker(service))["spec"]
        assert budget["maxUnavailable"] == 1, service


def test_prod_keeps_a_replica_through_drains_and_leaves_tables_to_the_migrations() -> None:
    """A worker too: two pods on two nodes, one ready to take over when the other stops."""
    docs = overlay("prod")
    for name in [*SERVICES, *map(worker, sorted(WITH_A_WORKER))]:
        deployment = named(docs, "Deployment", name)["spec"]
        assert deployment["replicas"] >= 2, name
        assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
        spread = deployment["template"]["spec"]["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} == {
            "kubernetes.io/hostname",
            "topology.kubernetes.io/zone",
        }
        budget = named(docs, "PodDisruptionBudget", name)["spec"]
        assert budget["minAvailable"] == 1 and "maxUnavailable" not in budget, name
    for service in WITH_DATABASE:
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
