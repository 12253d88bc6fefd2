"""Allowances: created with the ledger's hold (asked first, once per allowance id), refused for
a resident not held or a facility without commissary, listed for their family member, ended
early by them or when their period is over, and settled by the ledger's answer. Each run on
SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceStatus
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_commissary.service_layer.allowances import allowance_for
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_commissary.service_layer.end_allowance import end_allowances_over
from kinlink_commissary.service_layer.end_allowance import end_own_allowance
from kinlink_commissary.service_layer.list_allowances import ListAllowances
from kinlink_commissary.service_layer.list_allowances import list_allowances
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused

from tests.commissary_doubles import DECLINED_CARD
from tests.commissary_doubles import FACILITY
from tests.commissary_doubles import OTHER_RESIDENT
from tests.commissary_doubles import RESIDENT
from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import configure
from tests.commissary_doubles import deliver
from tests.commissary_doubles import hold_ended
from tests.commissary_doubles import release

CARD = "pm_card_visa"


def family_member(account_id: UUID) -> Principal:
    return Principal(str(account_id), frozenset({Role.FAMILY_MEMBER}))


def give(
    commissary: Commissary,
    account_id: UUID,
    amount_cents: int = 5000,
    *,
    resident_id: str = RESIDENT,
    card: str = CARD,
    allowance_id: UUID | None = None,
) -> Allowance:
    request = AllowanceRequest(account_id, FACILITY, resident_id, amount_cents, card)
    return create_allowance(commissary, CreateAllowance(allowance_id or uuid4(), request))


def test_an_allowance_is_held_on_the_card_and_lasts_the_facilitys_period(
    commissary: Commissary, holds: MemoryHolds, clock: Clock
) -> None:
    family = uuid4()
    allowance = give(commissary, family, 5000)

    assert allowance.status is AllowanceStatus.ACTIVE
    assert (allowance.amount_cents, allowance.left_cents, allowance.used_cents) == (5000, 5000, 0)
    assert allowance.period_ends_at == clock.now + timedelta(days=3)  # the facility's setting
    ((allowance_id, asked),) = holds.asked
    assert allowance_id == allowance.allowance_id
    assert asked == AllowanceRequest(family, FACILITY, RESIDENT, 5000, CARD)


def test_a_repeat_returns_the_first_allowance_and_another_request_under_its_id_is_refused(
    commissary: Commissary, holds: MemoryHolds
) -> None:
    family, allowance_id = uuid4(), uuid4()
    first = give(commissary, family, 5000, allowance_id=allowance_id)

    again = give(commissary, family, 5000, allowance_id=allowance_id)

    assert (again.id, again.created_at) == (first.id, first.created_at)
    assert len(holds.asked) == 1
    with refused(AlreadyExists, "allowance_id_reused"):
        give(commissary, family, 6000, allowance_id=allowance_id)
    with refused(AlreadyExists, "allowance_id_reused"):
        give(commissary, uuid4(), 5000, allowance_id=allowance_id)


def test_a_declined_card_makes_a_declined_allowance_that_pays_nothing(
    commissary: Commissary, clock: Clock
) -> None:
    allowance = give(commissary, uuid4(), 5000, card=DECLINED_CARD)

    assert (allowance.status, allowance.decline_reason) == (
        AllowanceStatus.DECLINED,
        "card_declined",
    )
    assert allowance.left_cents == 0


@pytest.mark.parametrize(
    ("prepare", "refusal"),
    [
        (lambda c: release(c, RESIDENT), (FailedPrecondition, "resident_released")),
        (lambda c: configure(c, revision=2, commissary_available=False),
         (FailedPrecondition, "commissary_unavailable")),
    ],
    ids=["resident released", "commissary switched off"],
)  # fmt: skip
def test_refused_before_anything_is_held(
    commissary: Commissary, holds: MemoryHolds, prepare: object, refusal: tuple[type, str]
) -> None:
    prepare(commissary)  # type: ignore[operator]
    with refused(*refusal):
        give(commissary, uuid4())
    assert holds.asked == []


def test_an_unknown_resident_facility_or_amount_is_refused(
    commissary: Commissary, holds: MemoryHolds
) -> None:
    with refused(NotFound, "resident_not_found"):
        give(commissary, uuid4(), resident_id="R-NOBODY")
    with refused(InvalidArgument, "amount_not_positive"):
        give(commissary, uuid4(), 0)
    request = AllowanceRequest(uuid4(), "FAC-NOWHERE", RESIDENT, 5000, CARD)
    with refused(NotFound, "facility_not_found"):
        create_allowance(commissary, CreateAllowance(uuid4(), request))
    assert holds.asked == []


def test_the_ledger_unreachable_saves_nothing_and_the_repeat_creates_it(
    commissary: Commissary, holds: MemoryHolds
) -> None:
    family, allowance_id = uuid4(), uuid4()
    holds.unreachable = True
    with refused(LedgerUnavailable, "ledger_unavailable"):
        give(commissary, family, allowance_id=allowance_id)
    assert commissary.find(Allowance.create_id(allowance_id), Allowance) is None

    holds.unreachable = False
    assert give(commissary, family, allowance_id=allowance_id).status is AllowanceStatus.ACTIVE


def test_only_its_family_member_ends_it_early_and_staff_of_its_facility_see_it(
    commissary: Commissary, clock: Clock
) -> None:
    family = uuid4()
    allowance = give(commissary, family)
    stranger = family_member(uuid4())
    officer = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({FACILITY}))
    elsewhere = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({"FAC-X"}))

    with refused(NotFound, "allowance_not_found"):
        end_own_allowance(commissary, allowance.allowance_id, stranger)
    with refused(NotFound, "allowance_not_found"):
        allowance_for(commissary, allowance.allowance_id, elsewhere)
    with refused(NotFound, "allowance_not_found"):
        end_own_allowance(commissary, allowance.allowance_id, officer)
    assert allowance_for(commissary, allowance.allowance_id, officer).id == allowance.id

    clock.now += timedelta(hours=1)
    ended = end_own_allowance(commissary, allowance.allowance_id, family_member(family))
    again = end_own_allowance(commissary, allowance.allowance_id, family_member(family))

    assert (ended.status, ended.ended_at, ended.left_cents) == (
        AllowanceStatus.ENDING,
        clock.now,
        0,
    )
    assert (again.version, again.ended_at) == (ended.version, ended.ended_at)


def test_the_sweep_ends_the_allowances_whose_period_is_over_and_only_those(
    commissary: Commissary, clock: Clock
) -> None:
    first = give(commissary, uuid4())
    clock.now += timedelta(days=1)
    second = give(commissary, uuid4(), resident_id=OTHER_RESIDENT)
    declined = give(commissary, uuid4(), card=DECLINED_CARD)

    clock.now = first.period_ends_at - timedelta(microseconds=1)
    assert end_allowances_over(commissary) == 0
    clock.now = first.period_ends_at
    assert end_allowances_over(commissary) == 1
    assert end_allowances_over(commissary) == 0  # ended once

    statuses = [
        commissary.find(a.id, Allowance).status  # type: ignore[union-attr]
        for a in (first, second, declined)
    ]
    assert statuses == [AllowanceStatus.ENDING, AllowanceStatus.ACTIVE, AllowanceStatus.DECLINED]


def test_the_ledgers_end_of_the_hold_settles_it_with_its_receipt(
    commissary: Commissary, clock: Clock
) -> None:
    family = uuid4()
    allowance = give(commissary, family, 5000)
    end_own_allowance(commissary, allowance.allowance_id, family_member(family))
    ended = hold_ended(allowance.allowance_id, family, 5000, 1200, "KL-0123456789AB")

    deliver(commissary, ended)
    deliver(commissary, ended)  # delivered twice: recorded once

    settled = commissary.find(allowance.id, Allowance)
    assert settled is not None
    assert settled.status is AllowanceStatus.ENDED
    assert (settled.captured_cents, settled.released_cents, settled.receipt_number) == (
        1200,
        3800,
        "KL-0123456789AB",
    )
    assert settled.version == allowance.version + 2  # ended, settled


def test_the_ledger_ending_a_hold_first_stops_the_allowance_paying(
    commissary: Commissary, clock: Clock
) -> None:
    family = uuid4()
    allowance = give(commissary, family, 5000)
    clock.now += timedelta(hours=2)

    deliver(commissary, hold_ended(allowance.allowance_id, family, 5000, 0, None))

    settled = commissary.find(allowance.id, Allowance)
    assert settled is not None
    assert (settled.status, settled.left_cents, settled.receipt_number) == (
        AllowanceStatus.ENDED,
        0,
        "",
    )
    assert settled.ended_at is not None


def test_a_family_member_lists_their_own_allowances_newest_first_page_by_page(
    commissary: Commissary, clock: Clock
) -> None:
    family = uuid4()
    given = []
    for n in range(5):
        clock.now += timedelta(minutes=1)
        resident = RESIDENT if n % 2 == 0 else OTHER_RESIDENT
        given.append(give(commissary, family, 1000 + n, resident_id=resident))
    give(commissary, uuid4())  # another family's

    first = list_allowances(commissary, ListAllowances(family, page_size=3))
    rest = list_allowances(
        commissary, ListAllowances(family, page_size=3, page_token=first.next_page_token)
    )
    of_one = list_allowances(
        commissary, ListAllowances(family, FACILITY, OTHER_RESIDENT, page_size=10)
    )

    newest_first = [a.id for a in reversed(given)]
    assert [a.id for a in first.rows + rest.rows] == newest_first
    assert rest.next_page_token == ""
    assert [a.id for a in of_one.rows] == [given[3].id, given[1].id]
    with refused(InvalidArgument, "page_size_invalid"):
        list_allowances(commissary, ListAllowances(family, page_size=0))
