"""The contracts' table of who publishes and consumes each topic is the services' real wiring
(tests/kafka_wiring.py)."""

from __future__ import annotations

from kinlink_contracts import topology
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import LEDGER_EVENTS

from tests.kafka_wiring import services


def test_every_service_consumes_what_the_table_says() -> None:
    wiring = {
        (wired.consumed[topic], topic): events
        for wired in services().values()
        for topic, events in wired.handled.items()
    }
    table = {
        (service.group, consumption.topic): tuple(sorted(consumption.events))
        for service in topology.SERVICES
        for consumption in service.consumes
    }
    assert table == wiring


def test_every_service_publishes_what_the_table_says() -> None:
    wiring = services()
    assert {name: w.published for name, w in wiring.items()} == {
        s.name: set(s.publishes) for s in topology.SERVICES
    }
    # Envelopes name the service that published them as the table does (the audit stream's
    # records are not envelopes).
    producers = {p for w in wiring.values() for p in w.producers} - {(LEDGER_AUDIT, None)}
    assert producers == {
        (topic, s.name) for s in topology.SERVICES for topic in s.publishes if topic != LEDGER_AUDIT
    }
    assert {name: w.outbox_dead_letters for name, w in wiring.items()} == {
        s.name: {s.outbox_dead_letters} for s in topology.SERVICES
    }


def test_every_event_a_service_acts_on_is_in_the_catalog() -> None:
    for party in topology.PARTIES:
        for consumption in party.consumes:
            known = {event.event_type for event in EVENTS_BY_TOPIC.get(consumption.topic, ())}
            assert set(consumption.events) <= known, f"{party.name} on {consumption.topic}"


def test_only_the_ledger_writes_the_ledger_s_topics_and_only_auditors_read_its_audit() -> None:
    # Besides its publisher, operators may put a dead letter back on a topic: not the ledger's.
    writers = {
        topic: [p.name for p in topology.writers(topic) if p != topology.OPERATOR]
        for topic in (*EVENTS_BY_TOPIC, LEDGER_AUDIT)
    }
    assert all(len(names) == 1 for names in writers.values()), writers
    assert [p.name for p in topology.writers(LEDGER_EVENTS)] == ["ledger"]
    assert writers[LEDGER_EVENTS] == writers[LEDGER_AUDIT] == ["ledger"]
    assert [p.name for p in topology.readers(LEDGER_AUDIT)] == ["auditor"]


def test_a_service_dead_letters_each_topic_it_consumes_and_its_outbox() -> None:
    assert [p.name for p in topology.writers("kinlink.messaging.events.v1.dlq")] == ["sms-gateway"]
    assert topology.SMS_GATEWAY.dead_letter_topics == (
        "kinlink.identity.events.v1.dlq",
        "kinlink.messaging.events.v1.dlq",
        "kinlink.sms.outbox.dlq",
    )
    assert topology.AUDITOR.dead_letter_topics == ()


def test_the_table_s_parties_have_distinct_names_and_groups() -> None:
    names = [p.name for p in topology.PARTIES]
    groups = [s.group for s in topology.SERVICES]
    assert len(set(names)) == len(names)
    assert len(set(groups)) == len(groups)
