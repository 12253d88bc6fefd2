"""ImportCatalog, GetCatalog and the facility's CommissaryCatalogPublished: a facility's catalog
replaced whole (a revision more), from an operator's CSV file or the facility's own event."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import CommissaryCatalogPublished
from kinlink_kit.consumer import rejecting
from kinlink_kit.eventstore import Tracking

from kinlink_commissary.domain.catalog import Catalog
from kinlink_commissary.domain.catalog import CatalogItem
from kinlink_commissary.domain.catalog import CatalogNotFound
from kinlink_commissary.domain.catalog import check_limits
from kinlink_commissary.domain.catalog import read_csv
from kinlink_commissary.domain.catalog import read_items
from kinlink_commissary.service_layer.commissary import Commissary


@dataclass(frozen=True)
class ImportCatalog:
    facility_id: str
    vendor: str
    csv: bytes
    order_limit_cents: int
    max_items_per_order: int


def _replacing(
    commissary: Commissary,
    facility_id: str,
    vendor: str,
    items: tuple[CatalogItem, ...],
    order_limit_cents: int,
    max_items_per_order: int,
) -> Catalog:
    """The facility's catalog replaced (created the first time), to be saved by the caller."""
    commissary.facilities.facility(facility_id)  # facility_not_found
    catalog = commissary.find(Catalog.create_id(facility_id), Catalog) or Catalog.open(facility_id)
    catalog.replace_with(vendor, items, order_limit_cents, max_items_per_order, commissary.clock())
    return catalog


def import_catalog(commissary: Commissary, command: ImportCatalog) -> Catalog:
    """Nothing is imported unless every row is good (`catalog_row_invalid` lists the others)."""
    check_limits(command.vendor, command.order_limit_cents, command.max_items_per_order)
    items = read_csv(command.csv)

    def importing() -> Catalog:
        catalog = _replacing(
            commissary,
            command.facility_id,
            command.vendor,
            items,
            command.order_limit_cents,
            command.max_items_per_order,
        )
        commissary.store.save(catalog)
        return catalog

    return commissary.retrying(importing)


def get_catalog(commissary: Commissary, facility_id: str) -> Catalog:
    catalog = commissary.find(Catalog.create_id(facility_id), Catalog, to_change=False)
    if catalog is None:
        raise CatalogNotFound()
    return catalog


def catalog_published(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    """The facility's own catalog; one breaking a rule (a bad item, an unknown facility) is
    dead-lettered with its code, nothing imported."""
    with rejecting(envelope):
        published = CommissaryCatalogPublished.model_validate(envelope.payload)
        items = read_items(item.model_dump() for item in published.items)
        catalog = _replacing(
            commissary,
            published.facility_id,
            published.vendor,
            items,
            published.order_limit_cents,
            published.max_items_per_order,
        )
        commissary.store.save_tracked(tracking, catalog)
