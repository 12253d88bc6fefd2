"""The example facility system and the commissary on the real Kafka and PostgreSQL: a commissary
pack a family paid for reaches the facility, which reports it shipped and delivered, and the
commissary's order follows."""

from __future__ import annotations

import uuid
from pathlib import Path

from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.order import Fulfilment
from kinlink_facility_example.books import PackStatus
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.commissary_fulfilment import order_now
from tests.commissary_fulfilment import paid
from tests.conftest import TokenKeys
from tests.facility_example import commissary_for
from tests.facility_example import facility_command
from tests.facility_example import following


async def test_a_paid_pack_reaches_the_facility_and_its_delivery_reaches_the_commissary(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    facility, resident = f"FAC-PACKS-{uuid.uuid4().hex[:8]}", "R-5005"  # this run's own
    settings, commissary = await commissary_for(infra, fresh_database)
    # On the service's own clock: the facility reports the delivery at its own time, after.
    order = paid(commissary, facility_id=facility, resident_id=resident)
    state_file = tmp_path / "books.sqlite"

    async def command(*args: str) -> None:
        assert await facility_command(infra.kafka_bootstrap, facility, state_file, *args) == 0

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-commissary-facility-packs")
    async with (
        serving([commissary_service(settings, bus, commissary)], bus, token_keys.verifier()),
        following(infra.kafka_bootstrap, facility, state_file) as followed,
    ):

        async def pack_to_deliver() -> bool:
            return bool(followed.packs())

        await eventually(pack_to_deliver, timeout=60)
        (pack,) = followed.packs()
        assert (pack.order_id, pack.resident_id, pack.status) == (
            order.id,
            resident,
            PackStatus.TO_DELIVER,
        )
        assert [(item["sku"], item["quantity"]) for item in pack.items] == [
            ("COF-1", 2),
            ("SOX-3", 1),
        ]
        await command("pack", "shipped", str(order.id), "--carrier", "USPS", "--tracking", "9400")
        await command("pack", "delivered", str(order.id))

        async def delivered() -> bool:
            return order_now(commissary, order).fulfilment is Fulfilment.DELIVERED

        await eventually(delivered, timeout=60)
        now = order_now(commissary, order)
        assert (now.carrier, now.tracking_number) == ("USPS", "9400")
        assert followed.pack(order.id).status is PackStatus.DELIVERED
