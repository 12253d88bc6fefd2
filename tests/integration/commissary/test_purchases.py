"""Purchases a facility reports pay from the resident's allowances first, oldest first, each at
most what it has left; the rest is the resident's own balance. A purchase reported again pays
nothing more, another resident's purchase never touches these allowances, and an allowance pays
only for purchases made in its period while it is active. What each allowance paid is published
as AllowanceConsumed, its end as AllowanceEnded. Each run on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from kinlink_commissary.adapters.integration_events import CommissaryEventTranslator
from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.purchase import Purchase
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.end_allowance import end_own_allowance
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_kit.testing import Clock

from tests.commissary_doubles import DECLINED_CARD
from tests.commissary_doubles import FACILITY
from tests.commissary_doubles import OTHER_RESIDENT
from tests.commissary_doubles import RESIDENT
from tests.commissary_doubles import deliver
from tests.commissary_doubles import purchase
from tests.integration.commissary.test_allowances import family_member
from tests.integration.commissary.test_allowances import give


def now_of(commissary: Commissary, allowance: Allowance) -> Allowance:
    found = commissary.find(allowance.id, Allowance)
    assert found is not None
    return found


def uses(commissary: Commissary, allowance: Allowance) -> list[tuple[str, int]]:
    return [(u.order_reference, u.amount_cents) for u in now_of(commissary, allowance).uses]


def test_the_oldest_allowance_pays_first_then_the_next_then_the_residents_own_balance(
    commissary: Commissary, clock: Clock
) -> None:
    older = give(commissary, uuid4(), 1000)
    clock.now += timedelta(minutes=5)
    newer = give(commissary, uuid4(), 2000)
    clock.now += timedelta(minutes=5)

    deliver(commissary, purchase("O-1", 700, clock.now))
    deliver(commissary, purchase("O-2", 1500, clock.now))
    deliver(commissary, purchase("O-3", 1000, clock.now))

    assert uses(commissary, older) == [("O-1", 700), ("O-2", 300)]
    assert uses(commissary, newer) == [("O-2", 1200), ("O-3", 800)]
    third = commissary.find(Purchase.create_id(FACILITY, "O-3"), Purchase)
    assert third is not None
    assert third.from_own_balance_cents == 200
    assert now_of(commissary, newer).left_cents == 0


def test_a_purchase_reported_again_pays_nothing_more(commissary: Commissary, clock: Clock) -> None:
    allowance = give(commissary, uuid4(), 1000)
    report = purchase("O-1", 400, clock.now + timedelta(minutes=1))

    deliver(commissary, report)
    deliver(commissary, report)  # the same event again
    deliver(commissary, purchase("O-1", 400, clock.now + timedelta(minutes=1)))  # reported again

    assert uses(commissary, allowance) == [("O-1", 400)]


def test_another_residents_purchase_never_uses_the_allowance(
    commissary: Commissary, clock: Clock
) -> None:
    allowance = give(commissary, uuid4(), 1000)

    deliver(commissary, purchase("O-9", 400, clock.now, resident_id=OTHER_RESIDENT))
    deliver(commissary, purchase("O-8", 400, clock.now, facility_id="FAC-OTHER"))

    assert uses(commissary, allowance) == []
    paid_elsewhere = commissary.find(Purchase.create_id(FACILITY, "O-9"), Purchase)
    assert paid_elsewhere is not None
    assert paid_elsewhere.from_own_balance_cents == 400


def test_only_purchases_made_in_its_period_while_it_is_active_use_it(
    commissary: Commissary, clock: Clock
) -> None:
    family = uuid4()
    declined = give(commissary, uuid4(), 1000, card=DECLINED_CARD)
    allowance = give(commissary, family, 1000)
    before = allowance.created_at - timedelta(seconds=1)
    after_period = allowance.period_ends_at

    deliver(commissary, purchase("O-early", 100, before))
    deliver(commissary, purchase("O-late", 100, after_period))
    deliver(commissary, purchase("O-in", 100, after_period - timedelta(seconds=1)))  # late report
    end_own_allowance(commissary, allowance.allowance_id, family_member(family))
    deliver(commissary, purchase("O-ended", 100, clock.now))

    assert uses(commissary, allowance) == [("O-in", 100)]
    assert uses(commissary, declined) == []


def test_each_part_an_allowance_paid_is_published_keyed_by_the_resident_then_its_end(
    commissary: Commissary, clock: Clock
) -> None:
    family = uuid4()
    older = give(commissary, family, 1000)
    newer = give(commissary, family, 1000)
    give(commissary, family, 1000, card=DECLINED_CARD)
    deliver(commissary, purchase("O-1", 1500, clock.now))
    end_own_allowance(commissary, older.allowance_id, family_member(family))

    translate = CommissaryEventTranslator(commissary.store)
    notifications = commissary.store.tracking.select_notifications(1, 1000)
    outgoing = [m for m in map(translate, notifications) if m is not None]
    published = [Envelope.from_bytes(m.value) for m in outgoing]

    assert {m.topic for m in outgoing} == {COMMISSARY_EVENTS}
    assert {m.key for m in outgoing} == {RESIDENT}
    assert [(e.type, e.payload["allowance_id"]) for e in published] == [
        ("AllowanceCreated", str(older.allowance_id)),
        ("AllowanceCreated", str(newer.allowance_id)),
        ("AllowanceConsumed", str(older.allowance_id)),
        ("AllowanceConsumed", str(newer.allowance_id)),
        ("AllowanceEnded", str(older.allowance_id)),
    ]
    consumed = [e.payload for e in published if e.type == "AllowanceConsumed"]
    assert [(c["order_id"], c["amount_cents"]) for c in consumed] == [("O-1", 1000), ("O-1", 500)]
    assert all((c["facility_id"], c["resident_id"]) == (FACILITY, RESIDENT) for c in consumed)
    created = published[0].payload
    assert (created["account_id"], created["amount_cents"]) == (str(family), 1000)


def test_an_allowance_asked_with_the_residents_id_spelled_with_spaces_pays_their_purchases(
    commissary: Commissary, clock: Clock
) -> None:
    # The resident is found held under the id's one spelling: the allowance is theirs under it
    # too, or the facility's reports (which use that spelling) never find it.
    allowance = give(commissary, uuid4(), 1000, resident_id=f" {RESIDENT} ")
    assert allowance.resident_id == RESIDENT

    deliver(commissary, purchase("O-1", 400, clock.now + timedelta(minutes=1)))

    assert uses(commissary, allowance) == [("O-1", 400)]
