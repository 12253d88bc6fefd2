"""Visitation's money on SQLite and on the real PostgreSQL, built as the service builds itself
(bootstrap) with the wallet and rooms of `tests.visitation_money`, its clock at a visit's
window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

import pytest
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import settings_on
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_money import SECOND
from tests.visitation_money import STARTS_AT
from tests.visitation_money import ClosingRooms
from tests.visitation_money import MemoryWallet


@pytest.fixture(params=STORAGES)
def visitation_settings(request: pytest.FixtureRequest) -> VisitationSettings:
    return settings_on(request, VisitationSettings, kafka_bootstrap=None)


@dataclass
class Outside:
    wallet: MemoryWallet = field(default_factory=MemoryWallet)
    rooms: ClosingRooms = field(default_factory=ClosingRooms)


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def visitation(
    visitation_settings: VisitationSettings, outside: Outside, clock: Clock
) -> Iterator[Visitation]:
    built = build_visitation(visitation_settings, wallet=outside.wallet, rooms=outside.rooms)
    built.clock = clock
    yield built
    built.close()


@pytest.fixture(autouse=True)
def _at_the_start(clock: Clock) -> None:
    clock.now = STARTS_AT + 30 * SECOND
