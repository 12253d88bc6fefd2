"""Every integration event, by topic: the source of the exported JSON Schemas."""

from kinlink_contracts import facility, ledger, topics
from kinlink_contracts.envelope import IntegrationEvent

EVENTS_BY_TOPIC: dict[str, tuple[type[IntegrationEvent], ...]] = {
    topics.LEDGER_EVENTS: (
        ledger.DepositRequested,
        ledger.DepositCaptured,
        ledger.DepositDeclined,
    ),
    topics.FACILITY_EVENTS: (facility.DepositPosted,),
}
