"""`kinlink commissary decide` and `kinlink commissary flagged` against the commissary served over
gRPC, on SQLite and on the real PostgreSQL: support lists every facility's orders not delivered
within a week and an officer their facility's; an officer records what the facility did with a
released resident's pack, once; refusals by their codes."""

from __future__ import annotations

from datetime import timedelta

from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.flag_overdue_orders import flag_overdue_orders
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock

from tests.commissary_fulfilment import FACILITY
from tests.commissary_fulfilment import OTHER_FACILITY
from tests.commissary_fulfilment import paid
from tests.conftest import TokenKeys
from tests.integration.commissary.orders.test_cli_commands import Kinlink
from tests.integration.commissary.orders.test_cli_commands import kinlink  # noqa: F401 (fixture)
from tests.integration.commissary.test_fulfilment import commissary  # noqa: F401 (fixture)
from tests.integration.commissary.test_fulfilment import commissary_settings  # noqa: F401
from tests.integration.commissary.test_fulfilment_grpc import resident_gone


def officer_of(token_keys: TokenKeys, facility_id: str) -> str:
    return token_keys.token(
        f"officer-{facility_id}", Role.FACILITY_OFFICER, facilities=[facility_id]
    )


async def test_support_lists_every_facilitys_overdue_orders_an_officer_their_own(
    kinlink: Kinlink,  # noqa: F811
    commissary: Commissary,  # noqa: F811
    token_keys: TokenKeys,
    clock: Clock,
) -> None:
    here = paid(commissary, facility_id=FACILITY)
    clock.now += timedelta(hours=1)
    there = paid(commissary, facility_id=OTHER_FACILITY)
    clock.now += timedelta(days=1)
    recent = paid(commissary, facility_id=FACILITY)
    for late in (here, there):  # each flagged a week and a minute after it was paid
        assert late.paid_at is not None
        clock.now = late.paid_at + timedelta(days=7, minutes=1)
        assert flag_overdue_orders(commissary) == 1
    operator = token_keys.token("operator-1", Role.OPERATOR)

    listed = await kinlink("flagged", token=operator)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split("  ")[0] for line in lines] == [f"Order {here.id}", f"Order {there.id}"]
    assert all(line.endswith("not delivered within a week") for line in lines)
    assert f"receipt {here.receipt_number}" in lines[0]
    assert str(recent.id) not in listed.stdout

    answered = await kinlink.json("flagged", f"--facility={FACILITY}", token=operator)
    assert [order["order_id"] for order in answered["orders"]] == [str(here.id)]
    assert answered["orders"][0]["overdue"] is True

    theirs = officer_of(token_keys, FACILITY)
    own = await kinlink("flagged", f"--facility={FACILITY}", token=theirs)
    assert own.exit_code == 0, own.output
    assert [line.split("  ")[0] for line in own.stdout.splitlines()] == [f"Order {here.id}"]
    unnamed = await kinlink("flagged", token=theirs)
    assert unnamed.exit_code == 1 and "error: facility_id_required" in unnamed.stderr
    elsewhere = await kinlink("flagged", f"--facility={OTHER_FACILITY}", token=theirs)
    assert elsewhere.exit_code == 1 and "error: facility_out_of_scope" in elsewhere.stderr
    paged = await kinlink("flagged", "--page-size=1", token=operator)
    assert paged.exit_code == 0, paged.output
    assert paged.stdout.count("Order ") == 1 and "--page-token" in paged.output


async def test_an_officer_records_the_facilitys_decision_on_a_released_residents_pack_once(
    kinlink: Kinlink,  # noqa: F811
    commissary: Commissary,  # noqa: F811
    token_keys: TokenKeys,
) -> None:
    theirs = officer_of(token_keys, FACILITY)
    still_held, released = paid(commissary), paid(commissary)
    resident_gone(commissary, released)

    early = await kinlink("decide", str(still_held.id), "--decision=forwarded", token=theirs)
    assert early.exit_code == 1 and "error: resident_not_left" in early.stderr
    unknown = await kinlink("decide", str(released.id), "--decision=sold", token=theirs)
    assert unknown.exit_code == 2 and "'sold' is not one of" in unknown.output
    elsewhere = officer_of(token_keys, OTHER_FACILITY)
    outside = await kinlink("decide", str(released.id), "--decision=forwarded", token=elsewhere)
    assert outside.exit_code == 1 and "error: facility_out_of_scope" in outside.stderr

    decided = await kinlink(
        "decide", str(released.id), "--decision=held_for_pickup", "--note=At the front desk.",
        token=theirs,
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    first, *rest = decided.stdout.splitlines()
    assert first.startswith(f"Order {released.id}  R-1001 at {FACILITY}  Paid  $21.99")
    assert first.endswith("resident released  facility: held_for_pickup")
    assert rest[-1] == "  At the front desk."

    again = await kinlink.json(
        "decide", str(released.id), "--decision=held_for_pickup", "--note=At the front desk.",
        token=theirs,
    )  # fmt: skip
    assert (again["facility_decision"], again["facility_decision_note"]) == (
        "held_for_pickup",
        "At the front desk.",
    )
    other = await kinlink("decide", str(released.id), "--decision=discarded", token=theirs)
    assert other.exit_code == 1 and "error: pack_already_decided" in other.stderr
