"""What the commissary takes from `kinlink.ledger.events.v1`: the end of an allowance's hold
(what was captured and released, the receipt). The handler saves its effect with the event's
tracking record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_contracts.ledger import AllowanceEnded
from kinlink_kit.consumer import ServiceEventHandler

from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.record_settlement import allowance_settled

LEDGER_HANDLERS: dict[str, ServiceEventHandler[Commissary]] = {
    AllowanceEnded.event_type: allowance_settled,
}
