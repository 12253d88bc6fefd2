"""ConfigureFacility: an operator creates a facility or replaces its settings whole.

Every change is published as FacilityConfigured with the facility's new revision; the ledger,
messaging, visitation and the SMS gateway take their rules and prices from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kinlink_contracts.facility_settings import FacilitySettings
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


def _path(location: tuple[int | str, ...]) -> str:
    path = "settings"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
