"""Topic names: one per bounded context and major version."""

LEDGER_EVENTS = "kinlink.ledger.events.v1"
# Every event the ledger stores, with its hash-chain link, for auditors (see ledger_audit).
LEDGER_AUDIT = "kinlink.ledger.audit.v1"
IDENTITY_EVENTS = "kinlink.identity.events.v1"
FACILITY_EVENTS = "kinlink.facility.events.v1"
COMMISSARY_EVENTS = "kinlink.commissary.events.v1"
MESSAGING_EVENTS = "kinlink.messaging.events.v1"
SMS_EVENTS = "kinlink.sms.events.v1"
VISITATION_EVENTS = "kinlink.visitation.events.v1"


def dead_letter_topic(topic: str) -> str:
    """Where events that fail validation or handling on `topic` are kept, never dropped."""
    return f"{topic}.dlq"
