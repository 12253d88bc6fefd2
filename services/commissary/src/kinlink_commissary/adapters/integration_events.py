"""The commissary's domain events as the integration events of `kinlink_contracts.commissary`,
published on kinlink.commissary.events.v1 keyed by resident id: a resident's allowance events
stay in order on one partition, so the ledger never sees an allowance end before a purchase it
paid. Each is translated with its aggregate as of that event."""

from __future__ import annotations

from typing import Any

from kinlink_contracts import commissary as contract
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_commissary.adapters.order_events import order_translations
from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.service_layer.commissary import CommissaryStore


class CommissaryEventTranslator(EventTranslator):
    def __init__(self, store: CommissaryStore) -> None:
        def as_of(domain_event: Any) -> Any:
            return store.repository.get(
                domain_event.originator_id, version=domain_event.originator_version
            )

        def allowance_fields(allowance: Allowance) -> dict[str, Any]:
            return {
                "allowance_id": allowance.allowance_id,
                "facility_id": allowance.facility_id,
                "resident_id": allowance.resident_id,
            }

        def allowance_created(domain_event: Allowance.Created) -> Published | None:
            if not domain_event.held:
                return None  # declined: nothing held, nothing for anyone to do
            return Published(
                domain_event.resident_id,
                contract.AllowanceCreated(
                    allowance_id=domain_event.allowance_id,
                    facility_id=domain_event.facility_id,
                    resident_id=domain_event.resident_id,
                    account_id=domain_event.account_id,
                    amount_cents=domain_event.amount_cents,
                    period_ends_at=domain_event.period_ends_at,
                ),
            )

        def allowance_used(domain_event: Allowance.Used) -> Published:
            allowance: Allowance = as_of(domain_event)
            return Published(
                allowance.resident_id,
                contract.AllowanceConsumed(
                    **allowance_fields(allowance),
                    order_id=domain_event.order_reference,
                    amount_cents=domain_event.amount_cents,
                ),
            )

        def allowance_ended(domain_event: Allowance.Ended) -> Published:
            allowance: Allowance = as_of(domain_event)
            return Published(
                allowance.resident_id, contract.AllowanceEnded(**allowance_fields(allowance))
            )

        translations: dict[type, Translation] = {
            Allowance.Created: allowance_created,
            Allowance.Used: allowance_used,
            Allowance.Ended: allowance_ended,
            **order_translations(store),
        }
        super().__init__(store, "commissary", COMMISSARY_EVENTS, translations)
