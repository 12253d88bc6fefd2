"""Visitation's domain events as the integration events of `kinlink_contracts.visitation`,
published on kinlink.visitation.events.v1 keyed by resident id. Each is translated with its visit
as of that event. A side joining or leaving without changing the visit's state (one side alone
in the room) is not published; RefundRequest's events are added beside the visit's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinlink_contracts import visitation as contract
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.topics import VISITATION_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_visitation.domain.refund_request import RefundRequest
from kinlink_visitation.domain.refund_request import RefundStatus
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.service_layer.visitation import VisitationStore

# The fields of an integration event besides the visit's ids, from the aggregate (a visit, or a
# refund request of one) as of the domain event and the domain event itself.
Fields = Callable[[Any, Any], dict[str, Any]]


def _scheduled(visit: Visit, _: Visit.Scheduled) -> dict[str, Any]:
    return {
        "account_id": visit.account_id,
        "kind": visit.kind,
        "station": visit.station,
        "starts_at": visit.starts_at,
        "ends_at": visit.ends_at,
        "price_per_minute_cents": visit.price_per_minute_cents,
        "direct_dial": visit.direct_dial,
    }


def _cancelled(_: Visit, event: Visit.Cancelled) -> dict[str, Any]:
    return {"cancelled_by": event.by, "note": event.note}


def _started(_: Visit, event: Visit.Started) -> dict[str, Any]:
    return {"started_at": event.at}


def _interrupted(_: Visit, event: Visit.Interrupted) -> dict[str, Any]:
    return {"side": event.side, "ours": event.ours, "at": event.at}


def _resumed(_: Visit, event: Visit.Resumed) -> dict[str, Any]:
    return {"at": event.at}


def _ended(visit: Visit, event: Visit.Ended) -> dict[str, Any]:
    return {
        "reason": event.reason,
        "ended_at": event.at,
        "connected_seconds": int(visit.connected_seconds),
        "minutes_charged": visit.minutes_charged,
        "charged_cents": visit.charged_cents,
        "credited_cents": visit.credited_cents,
    }


def _missed(_: Visit, __: Visit.Missed) -> dict[str, Any]:
    return {}


def _minute_charged(_: Visit, event: Visit.MinuteCharged) -> dict[str, Any]:
    return {
        "minute": event.minute,
        "amount_cents": event.amount_cents,
        "charge_reference": event.reference,
    }


def _credited(_: Visit, event: Visit.Credited) -> dict[str, Any]:
    return {"amount_cents": event.amount_cents, "why": event.why, "reference": event.reference}


def _refund_requested(request: RefundRequest, _: RefundRequest.Requested) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "account_id": request.account_id,
        "problem": request.problem,
        "due_by": request.due_by,
    }


def _refund_decided(request: RefundRequest, _: Any) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "approved": request.status is RefundStatus.APPROVED,
        "amount_cents": request.amount_cents,
        "reason": request.reason.value if request.reason else "",
    }


class VisitationEventTranslator(EventTranslator):
    def __init__(self, store: VisitationStore) -> None:
        def visit_event(make: Callable[..., IntegrationEvent], fields: Fields) -> Translation:
            def translate(domain_event: Any) -> Published:
                # A visit, or a refund request: each names its visit, facility and resident.
                visit: Visit | RefundRequest = store.repository.get(
                    domain_event.originator_id, version=domain_event.originator_version
                )
                return Published(
                    visit.resident_id,
                    make(
                        visit_id=visit.visit_id,
                        facility_id=visit.facility_id,
                        resident_id=visit.resident_id,
                        **fields(visit, domain_event),
                    ),
                )

            return translate

        translations: dict[type, Translation] = {
            Visit.Scheduled: visit_event(contract.CallScheduled, _scheduled),
            Visit.Cancelled: visit_event(contract.CallCancelled, _cancelled),
            Visit.Started: visit_event(contract.CallStarted, _started),
            Visit.Interrupted: visit_event(contract.CallInterrupted, _interrupted),
            Visit.Resumed: visit_event(contract.CallResumed, _resumed),
            Visit.Ended: visit_event(contract.CallEnded, _ended),
            Visit.Missed: visit_event(contract.CallMissed, _missed),
            Visit.MinuteCharged: visit_event(contract.CallMinuteCharged, _minute_charged),
            Visit.Credited: visit_event(contract.CallCredited, _credited),
            RefundRequest.Requested: visit_event(contract.RefundRequested, _refund_requested),
            RefundRequest.Approved: visit_event(contract.RefundRequestDecided, _refund_decided),
            RefundRequest.Denied: visit_event(contract.RefundRequestDecided, _refund_decided),
        }
        super().__init__(store, "visitation", VISITATION_EVENTS, translations)
