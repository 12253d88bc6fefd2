"""Facility deposit settings from a TOML file, until the identity service publishes them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from kinlink_kit.errors import NotFound

from kinlink_ledger.domain.facility import (
    DEFAULT_ACCEPTED_BRANDS,
    DEFAULT_WEEKLY_LIMIT,
    FacilityDepositSettings,
    FeeSchedule,
    FeeTier,
)
from kinlink_ledger.domain.money import Cents

DEMO_FACILITIES = Path(__file__).with_name("demo_facilities.toml")


class FacilitySettingsFile:
    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            document = tomllib.load(file)
        self._facilities = {
            facility_id: _parse(facility_id, table)
            for facility_id, table in document.get("facilities", {}).items()
        }

    def get(self, facility_id: str) -> FacilityDepositSettings:
        try:
            return self._facilities[facility_id]
        except KeyError:
            raise NotFound(
                "facility_not_found",
                f"No facility {facility_id!r} takes deposits here.",
                field="facility_id",
            ) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._facilities.values())


def _parse(facility_id: str, table: dict) -> FacilityDepositSettings:  # type: ignore[type-arg]
    return FacilityDepositSettings(
        facility_id=facility_id,
        name=table.get("name", facility_id),
        time_zone=ZoneInfo(table["time_zone"]),
        weekly_limit=Cents(table.get("weekly_limit_cents", DEFAULT_WEEKLY_LIMIT)),
        fee_schedule=FeeSchedule(
            tuple(FeeTier(Cents(t["up_to_cents"]), Cents(t["fee_cents"])) for t in table["fees"])
        ),
        accepted_brands=frozenset(table.get("accepted_brands", DEFAULT_ACCEPTED_BRANDS)),
    )
