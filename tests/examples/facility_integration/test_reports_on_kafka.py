"""What the example facility system's commands report reaches `kinlink.facility.events.v1` on the
real broker as the contract's events in the contract's envelope, keyed by the resident (a catalog
by the facility); a command Kinlink would refuse, or the facility's books would, sends nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_facility_example.books import Books
from kinlink_facility_example.cli import main
from kinlink_kit.testing import Infra
from pydantic import ValidationError

from tests.facility_example import facility_command
from tests.streams.kafka_helpers import read_topic

CONTRACT = {event.event_type: event for event in EVENTS_BY_TOPIC[FACILITY_EVENTS]}


async def test_each_command_reports_the_contracts_event_keyed_by_the_resident(
    infra: Infra, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = uuid.uuid4().hex[:8]
    facility, state_file = f"FAC-REPORTS-{run}", tmp_path / "books.sqlite"
    family_member, order_id = uuid.uuid4(), uuid.uuid4()
    books = Books(state_file)
    books.pack_to_deliver(order_id, "R-1", "Union Supply", [], 700)  # as OrderPaid would
    books.close()

    async def command(*args: str) -> int:
        return await facility_command(infra.kafka_bootstrap, facility, state_file, *args)

    assert await command("release", "R-9") == 2  # never booked here
    assert "UnknownResident" in capsys.readouterr().err
    assert await command("pack", "shipped", str(uuid.uuid4())) == 2
    header = "sku,name,description,category,price_cents,max_per_order\n"
    bad_catalog = tmp_path / "bad.csv"
    bad_catalog.write_text(header + "SNK-1,Crackers,,Snacks,350,4\nSNK-2,Chips,,Snacks,free,4\n")
    limits = ("--vendor", "Union Supply", "--order-limit", "50.00", "--max-items", "20")
    assert await command("catalog", str(bad_catalog), *limits) == 2
    assert "line 3, price_cents" in capsys.readouterr().err
    vendor_catalog = tmp_path / "catalog.csv"
    vendor_catalog.write_text(header + "SNK-1,Crackers,Peanut butter,Snacks,350,4\n")
    for args in (
        ("book", "R-1", "Ada", "Byron"),
        ("purchase", "R-1", "--order", "P-1", "--amount", "12.50"),
        ("purchase", "R-1", "--order", "P-1", "--amount", "12.50"),  # sent again after a failure
        ("reply", "R-1", "--account", str(family_member), "--body", "Thank you", "--key", "K-1"),
        ("pack", "shipped", str(order_id), "--carrier", "UPS", "--tracking", "1Z999"),
        ("transfer", "R-1", "--to-facility", "FAC-EAST", "--to-resident", "E-1"),
        ("book", "R-2", "Alan", "Byronsen"),
        ("release", "R-2"),
        ("catalog", str(vendor_catalog), *limits),
    ):
        assert await command(*args) == 0, args

    def ours(record: ConsumerRecord) -> bool:
        try:
            return Envelope.from_bytes(record.value).producer == f"facility-{facility}"
        except ValidationError:
            return False  # other tests put records that are not envelopes on the topic

    records = await read_topic(
        infra.kafka_bootstrap,
        FACILITY_EVENTS,
        until=lambda records: sum(map(ours, records)) >= 9,
    )
    reported: list[tuple[str, str, dict[str, object]]] = []
    for record in filter(ours, records):
        envelope = Envelope.from_bytes(record.value)
        event = CONTRACT[envelope.type].model_validate(envelope.payload)  # the contract's event
        assert record.key.decode() == envelope.key
        reported.append((envelope.key, envelope.type, event.model_dump(mode="json")))
    by_resident = {
        resident: [(kind, payload) for key, kind, payload in reported if key == resident]
        for resident in ("R-1", "R-2")
    }
    r1 = by_resident["R-1"]  # one resident's reports in the order they were made
    assert [kind for kind, _ in r1] == [
        "ResidentBooked",
        "CommissaryPurchased",
        "CommissaryPurchased",
        "ResidentMessagePosted",
        "CommissaryPackShipped",
        "ResidentTransferred",
    ]
    assert r1[0][1] == {
        "facility_id": facility,
        "resident_id": "R-1",
        "first_name": "Ada",
        "last_name": "Byron",
    }
    purchased = r1[1][1]
    assert (purchased["order_reference"], purchased["amount_cents"]) == ("P-1", 1250)
    assert r1[3][1]["account_id"] == str(family_member)
    assert (r1[3][1]["body"], r1[3][1]["client_key"], r1[3][1]["collect"]) == (
        "Thank you",
        "K-1",
        False,
    )
    assert r1[4][1] == {"order_id": str(order_id), "carrier": "UPS", "tracking_number": "1Z999"}
    assert (r1[5][1]["to_facility_id"], r1[5][1]["to_resident_id"]) == ("FAC-EAST", "E-1")
    assert [kind for kind, _ in by_resident["R-2"]] == ["ResidentBooked", "ResidentReleased"]
    ((_, catalog),) = [(kind, payload) for key, kind, payload in reported if key == facility]
    assert catalog == {
        "facility_id": facility,
        "vendor": "Union Supply",
        "order_limit_cents": 5000,
        "max_items_per_order": 20,
        "items": [
            {
                "sku": "SNK-1",
                "name": "Crackers",
                "description": "Peanut butter",
                "category": "Snacks",
                "price_cents": 350,
                "max_per_order": 4,
            }
        ],
    }
    assert len(reported) == 9

    books = Books(state_file)
    try:
        # The purchase sent twice is taken from the trust account once.
        assert books.balance_cents("R-1") == -1250
        assert [row["status"] for row in books.residents()] == ["transferred", "released"]
    finally:
        books.close()


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "twelve"])
def test_a_purchase_of_no_amount_in_cents_is_refused_before_anything_is_sent(
    amount: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "--kafka-bootstrap=127.0.0.1:1",
        "--facility-id=FAC-X",
        f"--state-file={tmp_path / 'b'}",
    ]
    with pytest.raises(SystemExit) as exit:
        main([*args, "purchase", "R-1", "--order", "P-1", "--amount", amount])
    assert exit.value.code == 2
    assert "--amount" in capsys.readouterr().err
