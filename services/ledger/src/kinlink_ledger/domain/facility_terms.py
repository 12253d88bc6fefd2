"""A facility's settings as the ledger last heard them from identity (FacilityConfigured).

Identity numbers each change; events can come late or twice, so an older or repeated revision
changes nothing here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain.facility import FacilityRules
from kinlink_ledger.domain.facility import FeeSchedule
from kinlink_ledger.domain.facility import FeeTier
from kinlink_ledger.domain.facility import IdVerificationRule
from kinlink_ledger.domain.facility import PriceList
from kinlink_ledger.domain.ids import facility_terms_id
from kinlink_ledger.domain.money import Cents


class FacilityNotFound(NotFound):
    """A facility identity never configured: the ledger takes nothing for it."""

    def __init__(self, facility_id: str) -> None:
        super().__init__("facility_not_found", f"No facility {facility_id!r} takes deposits here.")


class FacilityTerms(Aggregate):
    # Settings are stored as the JSON form of FacilitySettings: stored events hold plain data.
    class Recorded(Aggregate.Created):
        facility_id: str
        revision: int
        settings: dict[str, Any]

    class Revised(Aggregate.Event):
        revision: int
        settings: dict[str, Any]

    @staticmethod
    def create_id(facility_id: str) -> UUID:
        return facility_terms_id(facility_id)

    @classmethod
    def record(cls, facility_id: str, revision: int, settings: FacilitySettings) -> FacilityTerms:
        return cls(
            facility_id=facility_id, revision=revision, settings=settings.model_dump(mode="json")
        )

    @event(Recorded)
    def __init__(self, facility_id: str, revision: int, settings: dict[str, Any]) -> None:
        self.facility_id = facility_id
        self._take(revision, settings)

    def revise(self, revision: int, settings: FacilitySettings) -> None:
        if revision > self.revision:
            self._revised(revision, settings.model_dump(mode="json"))

    @event(Revised)
    def _revised(self, revision: int, settings: dict[str, Any]) -> None:
        self._take(revision, settings)

    def _take(self, revision: int, settings: dict[str, Any]) -> None:
        self.revision = revision
        self.settings = FacilitySettings.model_validate(settings)

    @property
    def rules(self) -> FacilityRules:
        return FacilityRules(
            facility_id=self.facility_id,
            name=self.settings.name,
            time_zone=ZoneInfo(self.settings.time_zone),
            fee_schedule=FeeSchedule(
                tuple(
                    FeeTier(Cents(tier.up_to_cents), Cents(tier.fee_cents))
                    for tier in self.settings.deposit_fee_tiers
                )
            ),
            weekly_limit=Cents(self.settings.weekly_deposit_limit_cents),
            accepted_brands=frozenset(self.settings.accepted_card_brands),
            prices=PriceList(
                message=Cents(self.settings.message_price_cents),
                image=Cents(self.settings.image_price_cents),
                video_minute=Cents(self.settings.video_price_per_minute_cents),
                funding_options=tuple(
                    Cents(amount) for amount in self.settings.messaging_funding_options_cents
                ),
            ),
            id_verification=_id_verification_rule(self.settings),
        )


def _id_verification_rule(settings: FacilitySettings) -> IdVerificationRule:
    """Before activation or before deposit, deposits there need a verified depositor (an account
    may have been opened without naming the facility); only before_deposit has a threshold."""
    policy = settings.id_verification
    threshold = settings.id_verification_threshold_cents
    return IdVerificationRule(
        required=policy is not IdVerificationPolicy.NEVER,
        above=(
            Cents(threshold)
            if policy is IdVerificationPolicy.BEFORE_DEPOSIT and threshold is not None
            else None
        ),
    )
