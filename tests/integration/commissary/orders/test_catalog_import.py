"""ImportCatalog on both stores: a revision per import, nothing imported from a file with a bad
row, an unknown facility refused."""

from __future__ import annotations

from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import get_catalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused

from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import FACILITY
from tests.commissary_orders import VENDOR


def test_each_import_replaces_the_catalog_whole(commissary: Commissary) -> None:
    smaller = b"sku,name,description,category,price_cents,max_per_order\nSOAP-1,Soap,,H,175,3\n"
    import_catalog(commissary, ImportCatalog(FACILITY, "Other Vendor", smaller, 4000, 8))
    catalog = get_catalog(commissary, FACILITY)
    assert (catalog.revision, catalog.vendor, catalog.order_limit_cents) == (
        2,
        "Other Vendor",
        4000,
    )
    assert {sku: item.available for sku, item in catalog.items.items()} == {
        "SOAP-1": True,
        "NOOD-3": False,
        "CAFE-2": False,
    }


def test_a_file_with_a_bad_row_imports_nothing(commissary: Commissary) -> None:
    with refused(InvalidArgument, "catalog_row_invalid"):
        import_catalog(
            commissary, ImportCatalog(FACILITY, VENDOR, CATALOG_CSV + b"X,,,,1,1\n", 1, 1)
        )
    assert get_catalog(commissary, FACILITY).revision == 1


def test_a_facility_identity_never_configured_gets_no_catalog(commissary: Commissary) -> None:
    with refused(NotFound, "facility_not_found"):
        import_catalog(commissary, ImportCatalog("FAC-NONE", VENDOR, CATALOG_CSV, 5000, 12))
    with refused(NotFound, "catalog_not_found"):
        get_catalog(commissary, "FAC-NONE")
