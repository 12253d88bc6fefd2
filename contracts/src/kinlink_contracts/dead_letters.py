"""What a dead letter says about its failure: Kafka headers beside the original bytes, unchanged.

A consumer's dead letter goes to `<topic>.dlq`; an outbox relay's (a stored event the service
can never translate) to `kinlink.<service>.outbox.dlq`. Operators read and replay them with
`kinlink ops dlq`.
"""

FAILURE_HEADERS = {
    "dlq-error": "The error, as the service printed it (at most 2,000 characters).",
    "dlq-error-type": "The error's class, e.g. ValidationError or EventRejected.",
    "dlq-traceback": "The end of the error's traceback (at most 4,000 characters).",
    "dlq-failed-at": "When it failed: ISO 8601, UTC.",
}

CONSUMER_HEADERS = {
    **FAILURE_HEADERS,
    "dlq-topic": "The topic the message was read from.",
    "dlq-partition": "Its partition there.",
    "dlq-offset": "Its offset there.",
    "dlq-group": "The consumer group that could not apply it.",
}

OUTBOX_HEADERS = {
    **FAILURE_HEADERS,
    "dlq-event-topic": "The stored domain event's type, as the service's store names it.",
    "dlq-notification-id": "The event's position in the service's event log.",
    "dlq-originator-version": "The event's version within its aggregate.",
}
