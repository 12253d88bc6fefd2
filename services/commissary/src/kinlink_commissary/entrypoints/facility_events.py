"""What the commissary takes from `kinlink.facility.events.v1`: what facility integrations
report (purchases, catalogs, packs shipped, delivered and decided). Each handler saves its effect
with the event's tracking record, so a redelivered event takes effect once; an event refused
(a schema violation, a rule broken) is dead-lettered with its code."""

from __future__ import annotations

from kinlink_contracts.facility import CommissaryCatalogPublished
from kinlink_contracts.facility import CommissaryPurchased
from kinlink_kit.consumer import ServiceEventHandler

from kinlink_commissary.service_layer.catalogs import catalog_published
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.pay_purchase import commissary_purchased

FACILITY_HANDLERS: dict[str, ServiceEventHandler[Commissary]] = {
    CommissaryPurchased.event_type: commissary_purchased,
    CommissaryCatalogPublished.event_type: catalog_published,
}
