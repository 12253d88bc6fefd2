"""The `kinlink commissary ...` commands against a stand-in commissary served over gRPC: each verb
sends the request its options say with the caller's token, shows the answer in lines (times in
the terminal's zone, money in dollars) or as JSON, and a refusal by its stable code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from click.testing import Result
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_cli.main import cli
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from tests.unit.cli.stand_in import StandIn
from tests.unit.cli.stand_in import served as served_stand_in

# 2026-12-07 18:00 UTC: noon in the terminal's zone.
NOON = 1_796_666_400
ALLOWANCE_ID = "5b0c1d2e-0000-4000-8000-000000000001"
ORDER_ID = "7d1e2f3a-0000-4000-8000-000000000002"


@pytest.fixture
def served() -> Iterator[tuple[StandIn, str]]:
    with served_stand_in(
        commissary_pb2_grpc.CommissaryServiceServicer,
        commissary_pb2_grpc.add_CommissaryServiceServicer_to_server,
    ) as serving:
        yield serving


@pytest.fixture
def stand_in(served: tuple[StandIn, str]) -> StandIn:
    return served[0]


@pytest.fixture
def kinlink(served: tuple[StandIn, str], tmp_path: Path) -> Any:
    def run(*args: str) -> Result:
        env = {
            "KINLINK_TARGET": served[1],
            "KINLINK_TOKEN": "family-token",
            "XDG_CONFIG_HOME": str(tmp_path),
            "TZ": "America/Chicago",
        }
        return CliRunner(env=env).invoke(cli, ["commissary", *args])

    return run


def at(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


def allowance(status: int, **fields: Any) -> pb.Allowance:
    return pb.Allowance(
        allowance_id=ALLOWANCE_ID,
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        amount_cents=2500,
        status=status,  # type: ignore[arg-type]
        created_at=at(NOON),
        period_ends_at=at(NOON + 6 * 86400),
        **fields,
    )


def order(status: int, **fields: Any) -> pb.Order:
    return pb.Order(
        order_id=ORDER_ID,
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        items=[
            pb.OrderItem(
                sku="SNK-1", name="Pretzels", quantity=2, unit_price_cents=250, total_cents=500
            )
        ],
        total_cents=500,
        status=status,  # type: ignore[arg-type]
        placed_at=at(NOON),
        **fields,
    )


def test_allowance_create_holds_the_amount_with_a_key_to_repeat_it(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["CreateAllowance"] = allowance(pb.ALLOWANCE_STATUS_ACTIVE, left_cents=2500)
    created = kinlink(
        "allowance", "create", "--facility=FAC-DEMO", "--resident=R-1001", "--amount=25.00",
        "--payment-method=pm_card_visa", f"--client-key={ALLOWANCE_ID}",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert created.stdout.splitlines() == [
        f"Allowance {ALLOWANCE_ID}  R-1001 at FAC-DEMO  active  $25.00, used $0.00, left $25.00  "
        "ends 2026-12-13 12:00 CST",
        "The resident is not notified: tell them about the allowance yourself.",
    ]
    (method, request, token) = stand_in.calls[0]
    assert (method, token) == ("CreateAllowance", "Bearer family-token")
    assert request == pb.CreateAllowanceRequest(
        allowance_id=ALLOWANCE_ID,
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        amount_cents=2500,
        payment_method="pm_card_visa",
    )
    fresh = kinlink(
        "allowance", "create", "--facility=FAC-DEMO", "--resident=R-1001", "--amount=25",
        "--payment-method=pm_card_visa",
    )  # fmt: skip
    key = stand_in.calls[-1][1].allowance_id
    assert key != ALLOWANCE_ID and f"--client-key {key}" in fresh.stderr


def test_allowance_show_lists_its_uses_and_settlement_and_list_pages_on(
    kinlink: Any, stand_in: StandIn
) -> None:
    use = pb.AllowanceUse(order_reference="PUR-77", amount_cents=900, purchased_at=at(NOON))
    ended = allowance(
        pb.ALLOWANCE_STATUS_ENDED,
        used_cents=900,
        captured_cents=900,
        released_cents=1600,
        receipt_number="KL-ALW1",
        uses=[use],
    )
    stand_in.answers["GetAllowance"] = ended
    shown = kinlink("allowance", "show", ALLOWANCE_ID)
    assert shown.stdout.splitlines() == [
        f"Allowance {ALLOWANCE_ID}  R-1001 at FAC-DEMO  ended  $25.00, used $9.00, left $0.00  "
        "charged $9.00, released $16.00  receipt KL-ALW1",
        "  2026-12-07 12:00 CST  PUR-77  $9.00",
    ]
    stand_in.answers["ListAllowances"] = pb.ListAllowancesResponse(
        allowances=[ended], next_page_token="p2"
    )
    listed = kinlink("allowance", "list", "--resident=R-1001")
    assert listed.stdout.splitlines()[-1] == "More: add --page-token=p2"
    assert stand_in.calls[-1][1].resident_id == "R-1001"
    stand_in.answers["EndAllowance"] = NotFound("allowance_not_found", "Not yours.")
    refused = kinlink("allowance", "end", ALLOWANCE_ID)
    assert refused.exit_code == 1 and "error: allowance_not_found" in refused.stderr


def test_catalog_import_sends_the_file_and_limits_and_show_lists_the_items(
    kinlink: Any, stand_in: StandIn, tmp_path: Path
) -> None:
    csv = tmp_path / "catalog.csv"
    csv.write_bytes(
        b"sku,name,description,category,price_cents,max_per_order\n"
        b"SNK-1,Pretzels,Salted,Snacks,250,4\n"
    )
    item = pb.CatalogItem(
        sku="SNK-1",
        name="Pretzels",
        category="Snacks",
        price_cents=250,
        max_per_order=4,
        available=True,
    )
    stand_in.answers["ImportCatalog"] = pb.Catalog(
        facility_id="FAC-DEMO",
        vendor="Keefe",
        revision=2,
        order_limit_cents=10000,
        max_items_per_order=20,
        items=[item],
    )
    imported = kinlink(
        "catalog", "import", str(csv), "--facility=FAC-DEMO", "--vendor=Keefe",
        "--order-limit=100.00", "--max-items=20",
    )  # fmt: skip
    assert imported.stdout.splitlines() == [
        "FAC-DEMO from Keefe, revision 2: at most $100.00 and 20 items an order",
        "  SNK-1  Snacks  Pretzels  $2.50  at most 4",
    ]
    request = stand_in.calls[0][1]
    assert (request.csv, request.order_limit_cents, request.max_items_per_order) == (
        csv.read_bytes(),
        10000,
        20,
    )
    stand_in.answers["ImportCatalog"] = InvalidArgument(
        "catalog_row_invalid", "row 2: price_cents", field="csv"
    )
    refused = kinlink(
        "catalog", "import", str(csv), "--facility=FAC-DEMO", "--vendor=Keefe",
        "--order-limit=100", "--max-items=20", "--json",
    )  # fmt: skip
    error = json.loads(refused.stdout)["error"]
    assert (error["code"], error["field"]) == ("catalog_row_invalid", "csv")


def test_order_place_sends_each_item_and_shows_the_order(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["PlaceOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    placed = kinlink(
        "order", "place", "--facility=FAC-DEMO", "--resident=R-1001", "--item=SNK-1=2",
        "--item=HYG-1=1", "--payment-method=pm_card_visa", f"--client-key={ORDER_ID}",
    )  # fmt: skip
    assert placed.stdout.splitlines() == [
        f"Order {ORDER_ID}  R-1001 at FAC-DEMO  Ready to Process  $5.00  "
        "placed 2026-12-07 12:00 CST",
        "  2 x SNK-1 Pretzels at $2.50: $5.00",
    ]
    request = stand_in.calls[0][1]
    assert [(line.sku, line.quantity) for line in request.lines] == [("SNK-1", 2), ("HYG-1", 1)]
    assert (request.order_id, request.payment_method) == (ORDER_ID, "pm_card_visa")
    bad = kinlink("order", "place", "--facility=FAC-DEMO", "--resident=R-1001", "--item=SNK-1")
    assert bad.exit_code == 2 and "SKU=QUANTITY" in bad.output
    assert len(stand_in.calls) == 1


def test_order_change_cancel_show_and_list(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["ChangeOrder"] = order(pb.ORDER_STATUS_READY_TO_PROCESS)
    kinlink("order", "change", ORDER_ID, "--payment-method=pm_card_mastercard")
    changing = stand_in.calls[-1][1]
    assert (changing.order_id, list(changing.lines)) == (ORDER_ID, [])
    assert changing.payment_method == "pm_card_mastercard"

    stand_in.answers["CancelOrder"] = FailedPrecondition("order_not_changeable", "Paid.")
    refused = kinlink("order", "cancel", ORDER_ID)
    assert refused.exit_code == 1 and "error: order_not_changeable" in refused.stderr

    shipped = order(
        pb.ORDER_STATUS_PAID,
        receipt_number="KL-ORD1",
        fulfilment=pb.FULFILMENT_SHIPPED,
        carrier="UPS",
        tracking_number="1Z999",
        overdue=True,
        resident_left=pb.RESIDENT_LEFT_RELEASED,
        facility_decision="held_for_pickup",
        facility_decision_note="At the front desk.",
    )
    stand_in.answers["GetOrder"] = shipped
    shown = kinlink("order", "show", ORDER_ID).stdout.splitlines()
    assert shown[0] == (
        f"Order {ORDER_ID}  R-1001 at FAC-DEMO  Paid  $5.00  placed 2026-12-07 12:00 CST  "
        "receipt KL-ORD1  shipped  UPS 1Z999  not delivered within a week  resident released  "
        "facility: held_for_pickup"
    )
    assert shown[-1] == "  At the front desk."
    stand_in.answers["ListOrders"] = pb.ListOrdersResponse()
    assert kinlink("order", "list").stdout == "No order.\n"


def test_post_decide_and_flagged_for_staff(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["RunPosting"] = pb.PostingRun(
        facility_id="FAC-DEMO", run_date="2026-12-07", orders_total=3, paid=2, incomplete=1
    )
    posted = kinlink("post", "--facility=FAC-DEMO")
    assert posted.stdout == (
        "Posting FAC-DEMO 2026-12-07: 3 orders, 2 paid, 1 incomplete, 0 still processing\n"
    )
    stand_in.answers["RecordPackDecision"] = order(pb.ORDER_STATUS_PAID)
    kinlink("decide", ORDER_ID, "--decision=returned_to_vendor", "--note=Sent back.")
    assert stand_in.calls[-1][1] == pb.RecordPackDecisionRequest(
        order_id=ORDER_ID, decision="returned_to_vendor", note="Sent back."
    )
    wrong = kinlink("decide", ORDER_ID, "--decision=eaten")
    assert wrong.exit_code == 2
    stand_in.answers["ListFlaggedOrders"] = pb.ListOrdersResponse(
        orders=[order(pb.ORDER_STATUS_PAID, overdue=True)]
    )
    flagged = kinlink("flagged", "--facility=FAC-DEMO")
    assert "not delivered within a week" in flagged.stdout
    assert stand_in.calls[-1][1].facility_id == "FAC-DEMO"
