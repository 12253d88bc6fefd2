"""Prometheus scrapes every Kinlink service and the Kafka exporter the lag and dead-letter alerts
read (deploy/k8s/monitoring), and the Prometheus operator's schemas accept what is written."""

from __future__ import annotations

from typing import Any

from tests.deploy.custom_resources import KAFKA
from tests.deploy.custom_resources import MONITORING
from tests.deploy.custom_resources import of_kind
from tests.deploy.custom_resources import resources_of
from tests.deploy.custom_resources import schema_problems
from tests.kafka_wiring import services

# Ports as the services' manifests name them.
METRICS_PORT = "metrics"
WEB_PORTAL = "portal"


def selected_names(selector: dict[str, Any]) -> set[str]:
    [names] = [
        e["values"]
        for e in selector["matchExpressions"]
        if e["key"] == "app.kubernetes.io/name" and e["operator"] == "In"
    ]
    return set(names)


def test_every_service_and_the_portal_is_scraped_on_its_metrics_port() -> None:
    [monitor] = of_kind(resources_of(MONITORING), "ServiceMonitor")
    selector = monitor["spec"]["selector"]

    assert selected_names(selector) == set(services()) | {WEB_PORTAL}
    assert selector["matchLabels"] == {"app.kubernetes.io/part-of": "kinlink"}
    assert [e["port"] for e in monitor["spec"]["endpoints"]] == [METRICS_PORT]


def test_the_kafka_exporter_of_the_cluster_is_running_and_scraped() -> None:
    [kafka] = of_kind(resources_of(KAFKA), "Kafka")
    [monitor] = of_kind(resources_of(MONITORING), "PodMonitor")
    cluster = kafka["metadata"]["name"]

    assert "kafkaExporter" in kafka["spec"]
    assert monitor["spec"]["selector"]["matchLabels"] == {
        "strimzi.io/cluster": cluster,
        "strimzi.io/name": f"{cluster}-kafka-exporter",
    }
    assert [e["port"] for e in monitor["spec"]["podMetricsEndpoints"]] == ["tcp-prometheus"]


def test_the_prometheus_operators_schemas_accept_the_monitoring_resources() -> None:
    assert schema_problems(resources_of(MONITORING)) == []


def test_the_prometheus_operators_schemas_refuse_a_rule_without_its_expression() -> None:
    [rule] = of_kind(resources_of(MONITORING), "PrometheusRule")
    group = {"name": "broken", "rules": [{"alert": "KinlinkNothing"}]}
    broken = {**rule, "spec": {"groups": [group]}}

    problems = "\n".join(schema_problems([broken]))

    assert "must have required property expr" in problems


def test_the_prometheus_operators_schemas_refuse_a_misspelt_endpoint_field() -> None:
    [monitor] = of_kind(resources_of(MONITORING), "ServiceMonitor")
    misspelt = {**monitor, "spec": {**monitor["spec"], "endpoints": [{"prot": METRICS_PORT}]}}

    [problem] = schema_problems([misspelt])

    assert problem.startswith("ServiceMonitor/kinlink-services: ")
    assert "'\"prot\"' does not exist" in problem
