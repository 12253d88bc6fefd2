"""Fulfilment news from facility systems on kinlink.facility.events.v1: a pack shipped or
delivered, and the facility's decision on a pack whose resident left.

Each is saved with its tracking record, so a redelivered message changes nothing. News the
commissary cannot apply (an unknown order, one not paid, a decision already recorded otherwise)
is raised as FulfilmentEventRejected: dead-lettered at once with its code.
"""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import CommissaryPackDecided
from kinlink_contracts.facility import CommissaryPackDelivered
from kinlink_contracts.facility import CommissaryPackShipped
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.consumer import rejecting
from kinlink_kit.eventstore import Tracking

from kinlink_commissary.domain.order import Order
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.decide_pack import DecidePack
from kinlink_commissary.service_layer.decide_pack import deciding_pack
from kinlink_commissary.service_layer.track_packs import PackDelivered
from kinlink_commissary.service_layer.track_packs import PackShipped
from kinlink_commissary.service_layer.track_packs import delivering
from kinlink_commissary.service_layer.track_packs import shipping


class FulfilmentEventRejected(EventRejected):
    """A facility's fulfilment news that contradicts what the commissary knows."""


def _save(commissary: Commissary, tracking: Tracking, changed: list[Order]) -> None:
    commissary.store.save_tracked(tracking, *changed)


def pack_shipped(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    shipped = CommissaryPackShipped.model_validate(envelope.payload)
    news = PackShipped(
        shipped.order_id, shipped.carrier, shipped.tracking_number, envelope.occurred_at
    )
    with rejecting(envelope, FulfilmentEventRejected):
        changed = shipping(commissary, news)
    _save(commissary, tracking, changed)


def pack_delivered(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    delivered = CommissaryPackDelivered.model_validate(envelope.payload)
    with rejecting(envelope, FulfilmentEventRejected):
        changed = delivering(commissary, PackDelivered(delivered.order_id, delivered.delivered_at))
    _save(commissary, tracking, changed)


def pack_decided(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    decided = CommissaryPackDecided.model_validate(envelope.payload)
    with rejecting(envelope, FulfilmentEventRejected):
        changed = deciding_pack(
            commissary, DecidePack(decided.order_id, decided.decision, decided.note)
        )
    _save(commissary, tracking, changed)


FULFILMENT_HANDLERS: dict[str, ServiceEventHandler[Commissary]] = {
    CommissaryPackShipped.event_type: pack_shipped,
    CommissaryPackDelivered.event_type: pack_delivered,
    CommissaryPackDecided.event_type: pack_decided,
}
