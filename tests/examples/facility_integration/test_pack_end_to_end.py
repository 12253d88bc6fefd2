"""The example facility system and the commissary on the real Kafka and PostgreSQL: a commissary
pack a family paid for reaches the facility, which reports it shipped and delivered, and the
commissary's order follows."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.order import Fulfilment
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_facility_example.books import PackStatus
from kinlink_facility_example.cli import main
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.commissary_doubles import MemoryHolds
from tests.commissary_fulfilment import order_now
from tests.commissary_fulfilment import paid
from tests.commissary_orders import MemoryLedger
from tests.conftest import TokenKeys
from tests.facility_example import following
from tests.streams.identity.test_identity_facility_events import skip_earlier_events


async def test_a_paid_pack_reaches_the_facility_and_its_delivery_reaches_the_commissary(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]  # this run's own ids: the topics keep earlier runs' events
    facility, resident, group = f"FAC-PACKS-{run}", "R-5005", f"test-commissary-{run}"
    settings = CommissarySettings(
        postgres_dsn=infra.postgres_url(fresh_database),
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=group,
    )
    await skip_earlier_events(infra.kafka_bootstrap, FACILITY_EVENTS, group)
    # The service's own clock: the facility reports the delivery at its own time, after.
    commissary = build_commissary(settings, holds=MemoryHolds(), charges=MemoryLedger())
    order = paid(commissary, facility_id=facility, resident_id=resident)
    state_file = tmp_path / "books.sqlite"

    async def command(*args: str) -> None:
        facility_args = [
            f"--kafka-bootstrap={infra.kafka_bootstrap}",
            f"--facility-id={facility}",
            f"--state-file={state_file}",
        ]
        assert await asyncio.to_thread(main, [*facility_args, *args]) == 0, args

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
