"""Prometheus metrics shared by every service, and the /metrics endpoint."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import start_http_server

RPC_SECONDS = Histogram(
    "kinlink_rpc_seconds",
    "gRPC handling time.",
    ["method", "code"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter(
    "kinlink_events_published_total", "Events the outbox relay published.", ["topic"]
)
EVENTS_CONSUMED = Counter(
    "kinlink_events_consumed_total",
    "Events a consumer handled, by outcome.",
    ["topic", "outcome"],
)
DEAD_LETTERS = Counter(
    "kinlink_dead_letters_total", "Events sent to a dead-letter topic.", ["topic"]
)
EVENTS_RETRIED = Counter(
    "kinlink_events_retried_total",
    "Attempts to handle an event that failed in a way that may pass (it is delivered again).",
    ["topic", "error"],
)
EVENTS_WAITING = Gauge(
    "kinlink_consumer_partitions_waiting",
    "Partitions whose next event is being retried, by consumer group: nothing after it moves.",
    ["topic", "group"],
)
OUTBOX_UNPUBLISHED = Gauge(
    "kinlink_outbox_unpublished_events",
    "Events stored but not yet published by the outbox relay this process leads, by store "
    "(0 where this process does not lead it): a backlog that never empties is outbox lag.",
    ["store"],
)
OUTBOX_DEAD_LETTERS = Counter(
    "kinlink_outbox_dead_letters_total",
    "Stored events the outbox relay could not publish and put on the dead-letter topic.",
    ["topic"],
)

PAYMENTS_IN_FLIGHT = Gauge(
    "kinlink_payments_in_flight",
    "Card payments asked of the processor whose outcome is not recorded yet, by kind.",
    ["kind"],
)
OLDEST_PAYMENT_IN_FLIGHT_SECONDS = Gauge(
    "kinlink_oldest_payment_in_flight_seconds",
    "How long the oldest payment in flight has waited for its outcome, by kind (0: none).",
    ["kind"],
)
MESSAGES_AWAITING_PAYMENT = Gauge(
    "kinlink_messages_awaiting_payment",
    "Messages saved before their wallet charge whose payment is not recorded yet.",
)
MESSAGES_SETTLED = Counter(
    "kinlink_messages_settled_total",
    "Messages the payment sweep settled, by outcome (submitted: the charge had happened; "
    "abandoned: it had not).",
    ["outcome"],
)

SMS_WEBHOOKS = Counter(
    "kinlink_sms_webhooks_total",
    "Requests to the SMS gateway's webhook, by route (inbound, status) and outcome: accepted; "
    "refused, never routed (unsigned, signature_mismatch, body_hash_missing, "
    "body_hash_mismatch, unreadable, too_large, and malformed when signed but not as Twilio "
    "documents); rejected by the handler; unavailable (503, retried); failed.",
    ["route", "outcome"],
)

HTTP_SECONDS = Histogram(
    "kinlink_http_seconds",
    "Web page handling time (the portal), by route and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REFUSALS_SHOWN = Counter(
    "kinlink_refusals_shown_total",
    "Refusals the portal said to a visitor, by stable code: where families get stuck.",
    ["code"],
)

SERVICE_SIGN_INS = Counter(
    "kinlink_service_sign_ins_total",
    "This service's sign-ins to identity for calling other services, by how (log_in, refresh) "
    "and outcome (ok, refused, unavailable).",
    ["how", "outcome"],
)
OUTGOING_RPC_SECONDS = Histogram(
    "kinlink_outgoing_rpc_seconds",
    "Time of calls this service makes to another one, by method and status code.",
    ["method", "code"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SMS_OUTBOUND = Counter(
    "kinlink_sms_outbound_total",
    "Outbound SMS by what happened: sent (an attempt handed to the carrier), retried, "
    "delivered, charged, failed, not_sent, unpaid (delivered, the wallet refused the charge).",
    ["outcome"],
)

SMS_INBOUND = Counter(
    "kinlink_sms_inbound_total",
    "SMS phones sent to the Kinlink numbers, by what the gateway answered: keyword (STOP, "
    "START, HELP), not_routed, sms_off, opted_out (not answered), empty, passed_on, "
    "insufficient_credit, mms_unavailable, awaiting_charge (the ledger unreachable: the settle "
    "sweep charges it). A webhook posted again is counted again.",
    ["outcome"],
)
SMS_REPLIES_AWAITING_CHARGE = Gauge(
    "kinlink_sms_replies_awaiting_charge",
    "SMS replies saved on receipt whose charge is not settled yet (the settle sweep's work).",
)

COMMISSARY_ORDER_CHARGES = Counter(
    "kinlink_commissary_order_charges_total",
    "Commissary orders the ledger was asked to charge, by outcome: captured, declined, "
    "unanswered (the order stays processing: the processing sweep or a rerun asks again).",
    ["outcome"],
)


ORDERS_FLAGGED_OVERDUE = Counter(
    "kinlink_commissary_orders_flagged_overdue_total",
    "Paid commissary orders flagged for support: not delivered a week after they were paid.",
)

VIDEO_MINUTES_CHARGED = Counter(
    "kinlink_visitation_minutes_charged_total",
    "Connected minutes of remote video visits charged to family wallets by the meter.",
)
VIDEO_MINUTES_GIVEN_BACK = Counter(
    "kinlink_visitation_minutes_given_back_total",
    "Charged video minutes refunded because our side cut them short (the station or the "
    "provider dropped, an officer or the window ended the visit, the resident left).",
)
VIDEO_REFUND_REQUESTS = Counter(
    "kinlink_visitation_refund_requests_total",
    "Video visit refund requests by step: requested, approved, denied, credit_issued.",
    ["step"],
)
VISITS_BOOKED = Counter(
    "kinlink_visitation_visits_booked_total",
    "Video visits booked, by how (scheduled, direct_dial).",
    ["how"],
)
VISITS_CANCELLED = Counter(
    "kinlink_visitation_visits_cancelled_total",
    "Video visits cancelled, by whom or why (visitor, facility, resident_transferred, "
    "resident_released).",
    ["by"],
)
VISITS_MISSED = Counter(
    "kinlink_visitation_visits_missed_total",
    "Video visits whose window ended without both sides ever in the room (nothing charged).",
)
VIDEO_WEBHOOKS = Counter(
    "kinlink_video_webhooks_total",
    "Requests to visitation's video webhook (LiveKit's room events), by outcome: accepted, "
    "ignored (not a room event visitation follows); refused, never routed (unsigned, "
    "signature_mismatch, body_hash_mismatch, unreadable, too_large, malformed); rejected by the "
    "handler; unavailable (503, retried); failed.",
    ["outcome"],
)


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    """Expose /metrics on `port`; 0 leaves it off (tests, the embedded mode's extra services)."""
    if port:
        start_http_server(port, addr=host)
