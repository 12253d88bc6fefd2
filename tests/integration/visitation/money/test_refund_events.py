"""Refund requests as visitation publishes them, on both stores: filed, approved and denied,
each keyed by the resident and valid against its contract; the credit's issue is not news."""

from __future__ import annotations

from kinlink_contracts import visitation as contract
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import VISITATION_EVENTS
from kinlink_kit.testing import Clock
from kinlink_visitation.adapters.integration_events import VisitationEventTranslator
from kinlink_visitation.domain.refund_request import RefundProblem
from kinlink_visitation.service_layer.refund_requests import DecideRefundRequest
from kinlink_visitation.service_layer.refund_requests import decide_refund_request
from kinlink_visitation.service_layer.visitation import Visitation

from tests.integration.visitation.money.conftest import Outside
from tests.integration.visitation.money.test_refund_requests import OPERATOR
from tests.integration.visitation.money.test_refund_requests import approve
from tests.integration.visitation.money.test_refund_requests import ended
from tests.integration.visitation.money.test_refund_requests import filed
from tests.visitation_money import RESIDENT


def test_filed_approved_and_denied_requests_are_published_for_the_resident(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = ended(visitation, clock, outside)
    approved = filed(visitation, visit)
    denied = filed(visitation, visit, problem=RefundProblem.AUDIO_QUALITY)
    decide_refund_request(visitation, approve(approved, 30), OPERATOR)
    deny = DecideRefundRequest(denied.request_id, False, 0, "caller_side", "Your headset.")
    decide_refund_request(visitation, deny, OPERATOR)

    translate = VisitationEventTranslator(visitation.store)
    notifications = visitation.store.tracking.select_notifications(1, 1000)
    messages = [m for n in notifications if (m := translate(n)) is not None]
    assert {(m.topic, m.key) for m in messages} == {(VISITATION_EVENTS, RESIDENT)}
    envelopes = [Envelope.from_bytes(m.value) for m in messages]
    refunds = [e for e in envelopes if e.type.startswith("Refund")]

    assert [e.type for e in refunds] == [
        "RefundRequested",
        "RefundRequested",
        "RefundRequestDecided",
        "RefundRequestDecided",
    ]
    requested = contract.RefundRequested.model_validate(refunds[0].payload)
    assert (requested.request_id, requested.visit_id, requested.account_id) == (
        approved.request_id,
        visit.visit_id,
        visit.account_id,
    )
    assert (requested.problem, requested.due_by) == (RefundProblem.DROPPED, approved.due_by)
    decisions = [contract.RefundRequestDecided.model_validate(e.payload) for e in refunds[2:]]
    assert [(d.request_id, d.approved, d.amount_cents, d.reason) for d in decisions] == [
        (approved.request_id, True, 30, ""),
        (denied.request_id, False, 0, "caller_side"),
    ]
    assert all(d.facility_id == visit.facility_id for d in decisions)
