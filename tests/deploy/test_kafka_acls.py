"""The KafkaUsers' ACLs (deploy/k8s/kafka/users.yaml) grant each service exactly what its code
does with Kafka, read from the services' wiring (tests/kafka_wiring.py), and every party
what the contracts' topology (kinlink_contracts.topology) says of it; only the ledger writes the
ledger's topics and only auditors read its audit topic."""

from __future__ import annotations

import pytest
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_contracts.topology import PARTIES
from kinlink_contracts.topology import Party

from tests.deploy.custom_resources import KAFKA
from tests.deploy.custom_resources import Grants
from tests.deploy.custom_resources import grants
from tests.deploy.custom_resources import kafka_users
from tests.deploy.custom_resources import of_kind
from tests.deploy.custom_resources import resources_of
from tests.kafka_wiring import ServiceWiring
from tests.kafka_wiring import services


def topics_with(granted: Grants, operation: str) -> set[str]:
    return {
        name
        for (kind, name, pattern), operations in granted.items()
        if kind == "topic" and operation in operations and pattern == "literal"
    }


def expected_writes(service: ServiceWiring) -> set[str]:
    return (
        service.published
        | service.outbox_dead_letters
        | {dead_letter_topic(t) for t in service.consumed}
    )


def expected_grants(party: Party) -> Grants:
    """What the topology says a party does, as ACLs: Read what it consumes, in its group or
    under its groups' prefix; Write what it publishes and its dead letters."""
    expected: Grants = {("topic", c.topic, "literal"): {"Read"} for c in party.consumes}
    for topic in (*party.publishes, *party.dead_letter_topics):
        expected[("topic", topic, "literal")] = {"Write"}
    if party.group:
        expected[("group", party.group, "literal")] = {"Read"}
    if party.group_prefix:
        expected[("group", party.group_prefix, "prefix")] = {"Read"}
    return expected


def test_there_is_one_user_per_party_of_the_topology_every_service_among_them() -> None:
    assert set(kafka_users()) == {party.name for party in PARTIES}
    assert set(services()) <= set(kafka_users())


@pytest.mark.parametrize("party", PARTIES, ids=lambda party: party.name)
def test_every_party_may_do_what_the_contracts_topology_says_and_no_more(party: Party) -> None:
    assert grants(kafka_users()[party.name]) == expected_grants(party)


@pytest.mark.parametrize("name", sorted(services()))
def test_a_service_reads_what_it_consumes_in_its_own_group_and_nothing_else(name: str) -> None:
    service = services()[name]
    granted = grants(kafka_users()[name])

    assert topics_with(granted, "Read") == set(service.consumed)
    groups = {(n, p) for (kind, n, p), ops in granted.items() if kind == "group" and "Read" in ops}
    assert groups == {(group, "literal") for group in set(service.consumed.values())}


@pytest.mark.parametrize("name", sorted(services()))
def test_a_service_writes_what_it_publishes_and_its_dead_letters_and_nothing_else(
    name: str,
) -> None:
    assert topics_with(grants(kafka_users()[name]), "Write") == expected_writes(services()[name])


def test_only_the_ledger_writes_the_ledgers_topics() -> None:
    writers = {
        name
        for name, user in kafka_users().items()
        if topics_with(grants(user), "Write") & {LEDGER_EVENTS, LEDGER_AUDIT}
    }
    assert writers == {"ledger"}


def test_only_auditors_read_the_audit_topic_and_nothing_else() -> None:
    readers = {
        name
        for name, user in kafka_users().items()
        if LEDGER_AUDIT in topics_with(grants(user), "Read")
    }
    assert readers == {"auditor"}
    assert grants(kafka_users()["auditor"]) == {("topic", LEDGER_AUDIT, "literal"): {"Read"}}


def test_a_facility_system_writes_only_the_facilities_topic_and_reads_no_accounts() -> None:
    granted = grants(kafka_users()["facility-integration"])
    assert topics_with(granted, "Write") == {FACILITY_EVENTS}
    assert not topics_with(granted, "Read") & {IDENTITY_EVENTS, LEDGER_AUDIT}
    assert all(operations <= {"Read", "Write", "Describe"} for operations in granted.values())


def test_every_principal_signs_in_and_the_brokers_check_its_acls() -> None:
    [kafka] = of_kind(resources_of(KAFKA), "Kafka")
    listeners = kafka["spec"]["kafka"]["listeners"]
    assert listeners and all(
        listener["tls"] and listener["authentication"]["type"] == "scram-sha-512"
        for listener in listeners
    )
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    for user in kafka_users().values():
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
