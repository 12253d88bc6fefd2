"""Every topic Kinlink names exists as a Strimzi KafkaTopic (deploy/k8s/kafka/topics.yaml), with
its dead-letter topic, kept as decision 0081 says; and the Kafka resources are what Strimzi's
schemas accept."""

from __future__ import annotations

from typing import Any

from kinlink_contracts import topics as contract_topics
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import dead_letter_topic

from tests.deploy.custom_resources import KAFKA
from tests.deploy.custom_resources import kafka_topics
from tests.deploy.custom_resources import of_kind
from tests.deploy.custom_resources import resources_of
from tests.deploy.custom_resources import schema_problems
from tests.deploy.manifests import overlay
from tests.kafka_wiring import services

FOREVER = -1


def contract_topic_names() -> set[str]:
    return {
        value
        for name, value in vars(contract_topics).items()
        if name.isupper() and isinstance(value, str) and value.startswith("kinlink.")
    }


def config(topic: str) -> dict[str, Any]:
    return kafka_topics()[topic]["spec"]["config"]  # type: ignore[no-any-return]


def dead_letter_topics() -> set[str]:
    named = {dead_letter_topic(t) for t in contract_topic_names()}
    return named | {t for s in services().values() for t in s.outbox_dead_letters}


def test_every_topic_of_the_contracts_and_of_the_code_has_a_kafka_topic_and_no_other() -> None:
    used = {
        topic
        for service in services().values()
        for topic in (*service.consumed, *service.published, *service.outbox_dead_letters)
    }
    assert used <= contract_topic_names() | dead_letter_topics()
    assert set(kafka_topics()) == contract_topic_names() | dead_letter_topics()


def test_every_topic_belongs_to_the_cluster_and_survives_a_lost_broker() -> None:
    [kafka] = of_kind(resources_of(KAFKA), "Kafka")
    min_in_sync = kafka["spec"]["kafka"]["config"]["min.insync.replicas"]
    assert min_in_sync >= 2
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    for topic in kafka_topics().values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["replicas"] >= min_in_sync + 1
        assert topic["spec"]["partitions"] >= 1


def test_the_audit_topic_is_kept_forever_uncompacted_in_one_ordered_partition() -> None:
    assert config(LEDGER_AUDIT) == {"cleanup.policy": "delete", "retention.ms": FOREVER}
    assert kafka_topics()[LEDGER_AUDIT]["spec"]["partitions"] == 1


def test_dead_letters_are_kept_until_an_operator_redrives_them() -> None:
    for topic in dead_letter_topics():
        assert config(topic)["retention.ms"] == FOREVER, topic


def test_the_reference_data_topics_are_kept_forever_the_others_for_a_month_at_least() -> None:
    month_ms = 30 * 24 * 3600 * 1000
    for topic in contract_topic_names():
        retention = config(topic)["retention.ms"]
        if topic in (IDENTITY_EVENTS, FACILITY_EVENTS, LEDGER_AUDIT):
            assert retention == FOREVER, topic
        else:
            assert retention >= month_ms, topic
        assert config(topic)["cleanup.policy"] == "delete", topic


def test_strimzis_schemas_accept_the_kafka_resources() -> None:
    assert schema_problems(resources_of(KAFKA)) == []


def test_strimzis_schemas_refuse_a_wrong_value_an_unknown_field_and_an_unknown_kind() -> None:
    [topic, *_] = of_kind(resources_of(KAFKA), "KafkaTopic")
    wrong = {**topic, "spec": {**topic["spec"], "partitions": "twelve"}}
    misspelt = {**topic, "spec": {**topic["spec"], "replcas": 3}}
    unknown = {**topic, "kind": "KafkaTopicc"}

    problems = "\n".join(schema_problems([wrong, misspelt, unknown]))

    assert "partitions must be integer" in problems
    assert "'\"replcas\"' does not exist" in problems
    assert "no schema for kind KafkaTopicc" in problems
    assert schema_problems([topic]) == []


def kafka_copies(overlay_name: str) -> tuple[int, int, set[int]]:
    """The overlay's Kafka nodes, its min.insync.replicas and its topics' replication factors."""
    docs = overlay(overlay_name)
    [pool] = of_kind(docs, "KafkaNodePool")
    [kafka] = of_kind(docs, "Kafka")
    in_sync = kafka["spec"]["kafka"]["config"]["min.insync.replicas"]
    return (
        pool["spec"]["replicas"],
        in_sync,
        {t["spec"]["replicas"] for t in of_kind(docs, "KafkaTopic")},
    )


def test_the_dev_overlay_runs_one_kafka_node_with_one_copy_and_prod_three() -> None:
    assert kafka_copies("dev") == (1, 1, {1})
    assert kafka_copies("prod") == (3, 2, {3})
