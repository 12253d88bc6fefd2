"""The console's commissary packs in Chromium: an officer of FAC-EAST finds the packs to look at
from the console (one overdue, one whose resident was released), is told to choose a decision,
records one with a note and sees the pack leave the list; an operator sees every facility's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import PackDecision
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.flag_overdue_orders import flag_overdue_orders
from kinlink_contracts.demo import FAC_EAST
from kinlink_embedded import demo
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving
from playwright.async_api import expect

from tests.browser.portal.conftest import Portal
from tests.browser.portal.conftest import Visitor
from tests.browser.portal.conftest import serving_identity
from tests.browser.portal.conftest import serving_portal
from tests.commissary_fulfilment import open_commissary
from tests.commissary_fulfilment import order_now
from tests.commissary_fulfilment import paid
from tests.conftest import TokenKeys

pytestmark = pytest.mark.usefixtures("demo_facilities")


@pytest.fixture
def commissary(tmp_path: Path, clock: Clock) -> Iterator[Commissary]:
    """The commissary on SQLite, its orders at FAC-EAST: one paid and never delivered, flagged
    a week later; one whose resident was released before it arrived."""
    settings = CommissarySettings(data_dir=tmp_path, postgres_dsn=None, kafka_bootstrap=None)
    built = open_commissary(settings, clock)
    paid(built, facility_id=FAC_EAST, resident_id="R-2001")
    clock.now += timedelta(days=7)
    assert flag_overdue_orders(built) == 1
    clock.now += timedelta(hours=1)
    left = paid(built, facility_id=FAC_EAST, resident_id="R-2002")
    left.resident_gone(ResidentLeft.RELEASED, clock.now)
    built.store.save(left)
    yield built
    built.close()


@pytest.fixture
async def portal(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, commissary: Commissary
) -> AsyncIterator[Portal]:
    """Identity on the real Kafka and PostgreSQL, the commissary beside it, and the portal in
    front of both."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    commissary_bus = InMemoryBus()
    commissary_settings = CommissarySettings(postgres_dsn=None, kafka_bootstrap=None)
    async with (
        serving_identity(infra, fresh_database, token_keys, url) as (address, mailer),
        serving(
            [commissary_service(commissary_settings, commissary_bus, commissary)],
            commissary_bus,
            token_keys.verifier(),
        ) as commissary_address,
        serving_portal(address, port, commissary_address=commissary_address) as served,
    ):
        assert served == url
        yield Portal(url, mailer, address)


def orders_at(commissary: Commissary, resident_id: str) -> Order:
    [order_id] = commissary.views.fulfilment.open_orders_of(FAC_EAST, resident_id)
    found = commissary.find(order_id, Order, to_change=False)
    assert found is not None
    return found


async def test_an_officer_records_what_the_facility_did_with_a_released_residents_pack(
    visitor: Visitor, east_officer: tuple[str, str], commissary: Commissary
) -> None:
    page = visitor.page
    await visitor.log_in(*east_officer)
    await page.get_by_role(
        "link", name="Commissary packs to look at Eastern Regional Detention Center"
    ).click()
    await page.wait_for_url("**/console/facilities/FAC-EAST/commissary")
    await visitor.check_accessibility()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Commissary packs to look at")
    packs = page.locator("article")
    await expect(packs).to_have_count(2)
    await expect(packs.nth(0)).to_contain_text("Overdue: not delivered a week after it was paid")
    await expect(packs.nth(1)).to_contain_text("The resident was released on")
    # Only the released resident's pack asks for a decision.
    await expect(
        page.get_by_role("button", name="Record the decision for the pack of R-2002")
    ).to_have_count(1)
    await expect(
        page.get_by_role("button", name="Record the decision for the pack of R-2001")
    ).to_have_count(0)

    await visitor.press("Record the decision for the pack of R-2002")
    left = orders_at(commissary, "R-2002")
    assert await visitor.error_beside(f"decision-{left.id}") == (
        "Error: Choose what the facility did with the pack."
    )
    await page.get_by_label("What the facility did with the pack").select_option("held_for_pickup")
    await page.get_by_label("Note for the family (optional)").fill("At the front desk.")
    await visitor.press("Record the decision for the pack of R-2002")
    await expect(page.get_by_role("status")).to_have_text(
        "The facility's decision is recorded: the family sees it with the order."
    )
    await expect(page.locator("article")).to_have_count(1)
    decided = order_now(commissary, left)
    assert (decided.facility_decision, decided.facility_decision_note) == (
        PackDecision.HELD_FOR_PICKUP,
        "At the front desk.",
    )


async def test_an_operator_sees_every_facilitys_packs_to_look_at(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.log_in(demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
    await visitor.follow("Commissary packs to look at")
    await expect(page.locator("article")).to_have_count(2)
    await expect(page.locator("article").nth(0)).to_contain_text(
        "Pack for R-2001 at Eastern Regional Detention Center"
    )
