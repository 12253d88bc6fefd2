"""ConfigureFacility: an operator creates a facility or replaces its settings whole.

Every change is published as FacilityConfigured with the facility's new revision; the ledger,
messaging, visitation and the SMS gateway take their rules and prices from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import video_price_cap_cents
from kinlink_kit.errors import InvalidArgument
from pydantic import ValidationError

from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.facility import checked_id
from kinlink_identity.domain.ids import facility_id_of
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class ConfigureFacility:
    facility_id: str
    # FacilitySettings' fields; those left out take the model's defaults.
    settings: Mapping[str, Any]


def configure_facility(identity: Identity, command: ConfigureFacility) -> Facility:
    facility_id = checked_id(command.facility_id, "facility_id")
    settings = checked_settings(command.settings)
    check_video_price(settings)
    facility = identity.find(facility_id_of(facility_id), Facility)
    if facility is None:
        facility = Facility.configure(facility_id, settings)
    else:
        facility.reconfigure(settings)
    identity.store.save(facility)
    return facility


def checked_settings(settings: Mapping[str, Any]) -> FacilitySettings:
    """The settings validated; the first fault is named by its path, e.g.
    `settings.deposit_fee_tiers[1].fee_cents`, the others are listed in the message."""
    try:
        return FacilitySettings.model_validate(settings)
    except ValidationError as error:
        faults = [(_path(fault["loc"]), fault["msg"]) for fault in error.errors()]
        raise InvalidArgument(
            "facility_settings_invalid",
            "; ".join(f"{path}: {message}" for path, message in faults),
            field=faults[0][0],
        ) from None


def check_video_price(settings: FacilitySettings) -> None:
    """The FCC caps a video minute's price by the facility's kind and size. Checked here, not
    in the shared model, so that every service still reads the settings identity published
    before the cap."""
    cap = video_price_cap_cents(settings.facility_kind, settings.average_daily_population)
    if settings.video_price_per_minute_cents > cap:
        raise InvalidArgument(
            "video_price_above_cap",
            f"A video minute may cost at most {cap} cents at a {settings.facility_kind.value} "
            f"of this size (the FCC's cap).",
            field="settings.video_price_per_minute_cents",
        )


def _path(location: tuple[int | str, ...]) -> str:
    path = "settings"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
