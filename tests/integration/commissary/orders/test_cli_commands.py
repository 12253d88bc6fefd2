"""The `kinlink commissary ...` commands against the commissary served over gRPC (built by its
bootstrap with the stand-in ledger of `tests.commissary_orders`), on SQLite and on the real
PostgreSQL: an operator imports and shows the catalog; a family member places an order without
a card (Incomplete), gives it one (Ready to Process), places and cancels another, and lists
them; the operator posts the facility's orders; a family member gives an allowance and ends it;
refusals by their codes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import Result
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import serving
from structlog.testing import capture_logs

from tests.cli_in_thread import CliInThread
from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import FACILITY
from tests.commissary_orders import RESIDENT
from tests.commissary_orders import VENDOR
from tests.commissary_orders import MemoryLedger
from tests.conftest import TokenKeys

WHERE = (f"--facility={FACILITY}", f"--resident={RESIDENT}")


class Kinlink(CliInThread):
    group = "commissary"


@pytest.fixture
async def kinlink(
    commissary: Commissary,
    commissary_settings: CommissarySettings,
    token_keys: TokenKeys,
    tmp_path: Path,
) -> AsyncIterator[Kinlink]:
    bus = InMemoryBus()
    parts = [commissary_service(commissary_settings, bus, commissary)]
    with capture_logs():  # the service's log lines stay out of the CLI's captured output
        async with serving(parts, bus, token_keys.verifier()) as address:
            yield Kinlink(address, tmp_path / "config")


def order_id_of(result: Result) -> str:
    assert result.exit_code == 0, result.output
    order_id: str = json.loads(result.stdout)["order_id"]
    return order_id


async def test_orders_from_the_catalog_to_the_posting_run(
    kinlink: Kinlink,
    ledger: MemoryLedger,
    family: UUID,
    token_keys: TokenKeys,
    tmp_path: Path,
) -> None:
    me = token_keys.token(str(family), Role.FAMILY_MEMBER)
    operator = token_keys.token(str(UUID(int=1)), Role.OPERATOR)
    csv = tmp_path / "catalog.csv"
    csv.write_bytes(CATALOG_CSV)
    imported = await kinlink(
        "catalog", "import", str(csv), f"--facility={FACILITY}", f"--vendor={VENDOR}",
        "--order-limit=50.00", "--max-items=12", token=operator,
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    shown = await kinlink("catalog", "show", f"--facility={FACILITY}", token=me)
    assert "  SOAP-1  Hygiene  Soap  $1.50  at most 3" in shown.stdout.splitlines()
    assert "at most $50.00 and 12 items an order" in shown.stdout

    later = await kinlink("order", "place", *WHERE, "--item=SOAP-1=2", "--json", token=me)
    waiting = order_id_of(later)
    assert json.loads(later.stdout)["status"] == "ORDER_STATUS_INCOMPLETE"
    given = await kinlink("order", "change", waiting, "--payment-method=pm_card_visa", token=me)
    assert given.exit_code == 0, given.output
    assert "Ready to Process  $3.00" in given.stdout

    other = await kinlink(
        "order", "place", *WHERE, "--item=NOOD-3=4", "--payment-method=pm_card_visa", "--json",
        token=me,
    )  # fmt: skip
    cancelled = order_id_of(other)
    gone = await kinlink("order", "cancel", cancelled, token=me)
    assert "Cancelled: by_user" in gone.stdout

    posted = await kinlink("post", f"--facility={FACILITY}", token=operator)
    assert posted.exit_code == 0, posted.output
    assert "1 orders, 1 paid, 0 incomplete" in posted.stdout
    assert ledger.charged_cents(UUID(waiting)) == 300
    assert ledger.charged_cents(UUID(cancelled)) == 0

    listed = (await kinlink("order", "list", token=me)).stdout.splitlines()
    assert sorted(line.split("  ")[2] for line in listed) == ["Cancelled: by_user", "Paid"]
    refused = await kinlink("order", "cancel", waiting, token=me)
    assert refused.exit_code == 1 and "error: order_not_changeable" in refused.stderr
    too_many = await kinlink("order", "place", *WHERE, "--item=SOAP-1=9", token=me)
    assert too_many.exit_code == 1 and "error: quantity_invalid" in too_many.stderr


async def test_an_allowance_given_listed_and_ended(
    kinlink: Kinlink, family: UUID, token_keys: TokenKeys
) -> None:
    me = token_keys.token(str(family), Role.FAMILY_MEMBER)
    given = await kinlink(
        "allowance", "create", *WHERE, "--amount=25.00", "--payment-method=pm_card_visa",
        "--json", token=me,
    )  # fmt: skip
    assert given.exit_code == 0, given.output
    allowance_id = json.loads(given.stdout)["allowance_id"]
    assert f"--client-key {allowance_id}" in given.stderr
    listed = await kinlink("allowance", "list", token=me)
    assert f"Allowance {allowance_id}  {RESIDENT} at {FACILITY}  active  $25.00" in listed.stdout
    ended = await kinlink("allowance", "end", allowance_id, token=me)
    assert ended.exit_code == 0, ended.output
    assert "ended" in ended.stdout.split("  ")[2]
    stranger = token_keys.token(str(UUID(int=7)), Role.FAMILY_MEMBER)
    hidden = await kinlink("allowance", "show", allowance_id, token=stranger)
    assert hidden.exit_code == 1 and "error: allowance_not_found" in hidden.stderr
