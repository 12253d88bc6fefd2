"""A facility and its settings, which every other service takes its rules and prices from."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.ids import MAX_ID_LENGTH
from kinlink_contracts.ids import canonical_id
from kinlink_contracts.ids import is_well_formed_id
from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.ids import facility_id_of


def checked_id(value: str, which: str) -> str:
    """A facility's id, or a resident's (the facility's own): they travel as Kafka keys and
    are typed by families and officers, so they are short and free of spaces. Refused as
    `<which>_missing` or `<which>_invalid`, `which` saying which id of the use case it is
    (`facility_id`, `to_resident_id`)."""
    value = canonical_id(value)
    if not value:
        raise InvalidArgument(f"{which}_missing", f"{which} is required.")
    if not is_well_formed_id(value):
        raise InvalidArgument(
            f"{which}_invalid", f"At most {MAX_ID_LENGTH} characters, without spaces."
        )
    return value


class Facility(Aggregate):
    # Settings are stored as the JSON form of FacilitySettings: stored events hold plain data.
    class Configured(Aggregate.Created):
        facility_id: str
        settings: dict[str, Any]

    class Reconfigured(Aggregate.Event):
        settings: dict[str, Any]

    @staticmethod
    def create_id(facility_id: str) -> UUID:
        return facility_id_of(facility_id)

    @classmethod
    def configure(cls, facility_id: str, settings: FacilitySettings) -> Facility:
        return cls(facility_id=facility_id, settings=settings.model_dump(mode="json"))

    @event(Configured)
    def __init__(self, facility_id: str, settings: dict[str, Any]) -> None:
        self.facility_id = facility_id
        self.settings = FacilitySettings.model_validate(settings)

    @property
    def revision(self) -> int:
        """What FacilityConfigured carries: consumers ignore a revision older than theirs."""
        return self.version

    def reconfigure(self, settings: FacilitySettings) -> None:
        """Replace the settings; the same settings again change nothing (and publish nothing)."""
        if settings != self.settings:
            self._reconfigured(settings.model_dump(mode="json"))

    @event(Reconfigured)
    def _reconfigured(self, settings: dict[str, Any]) -> None:
        self.settings = FacilitySettings.model_validate(settings)
