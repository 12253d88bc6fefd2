"""The example facility system and the commissary on the real Kafka and PostgreSQL: the purchases
the facility reports reach the commissary, which pays them from the family's allowance first, and
what the allowance paid reaches the facility, which gives it back to the resident's trust account
(the purchase was taken from it whole)."""

from __future__ import annotations

import uuid
from pathlib import Path

from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_facility_example.books import Books
from kinlink_facility_example.books import EntryKind
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.conftest import TokenKeys
from tests.facility_example import commissary_for
from tests.facility_example import facility_command
from tests.facility_example import following


async def test_what_a_familys_allowance_paid_of_a_purchase_comes_back_to_the_trust_account(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    facility, resident = f"FAC-SHOP-{uuid.uuid4().hex[:8]}", "R-3003"  # this run's own
    settings, commissary = await commissary_for(infra, fresh_database)
    configure(commissary, facility)
    book(commissary, resident, facility)
    allowance = AllowanceRequest(uuid.uuid4(), facility, resident, 1000, "pm_card_visa")
    create_allowance(commissary, CreateAllowance(uuid.uuid4(), allowance))
    state_file = tmp_path / "books.sqlite"
    books = Books(state_file)
    books.post_deposit(uuid.uuid4(), resident, 5000)  # a deposit the family made last week
    books.close()

    async def purchase(order: str, dollars: str) -> None:
        args = ("purchase", resident, "--order", order, "--amount", dollars)
        assert await facility_command(infra.kafka_bootstrap, facility, state_file, *args) == 0

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-commissary-facility-example")
    async with (
        serving([commissary_service(settings, bus, commissary)], bus, token_keys.verifier()),
        following(infra.kafka_bootstrap, facility, state_file) as followed,
    ):
        await purchase("O-1", "6.00")  # the allowance pays it all
        await purchase("O-2", "6.00")  # the allowance's last $4, the trust account $2

        async def allowance_parts_back() -> bool:
            kinds = [entry.kind for entry in followed.statement(resident)]
            return kinds.count(EntryKind.ALLOWANCE) == 2

        await eventually(allowance_parts_back, timeout=60)
        statement = followed.statement(resident)
        balance = followed.balance_cents(resident)

    purchases = {e.reference: e.amount_cents for e in statement if e.kind is EntryKind.PURCHASE}
    assert purchases == {"O-1": -600, "O-2": -600}
    given_back = sorted(
        (e.reference.split("/")[1], e.amount_cents)
        for e in statement
        if e.kind is EntryKind.ALLOWANCE
    )
    assert given_back == [("O-1", 600), ("O-2", 400)]
    assert balance == 5000 - 200
