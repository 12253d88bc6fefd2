"""Facilities: configured by operators, each change a new revision, read by anyone."""

from __future__ import annotations

from typing import Any

import pytest
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import FAC_EAST
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import FacilityConfigured
from kinlink_identity.adapters.integration_events import IdentityEventTranslator
from kinlink_identity.domain.facility import Facility
from kinlink_identity.service_layer.configure_facility import ConfigureFacility
from kinlink_identity.service_layer.configure_facility import configure_facility
from kinlink_identity.service_layer.find_facilities import get_facility
from kinlink_identity.service_layer.find_facilities import list_facilities
from kinlink_identity.service_layer.identity import Identity
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused


def demo_settings(facility_id: str, **changes: Any) -> dict[str, Any]:
    return {**DEMO_FACILITIES[facility_id].model_dump(mode="json"), **changes}


def configure(identity: Identity, facility_id: str, **changes: Any) -> Facility:
    return configure_facility(
        identity, ConfigureFacility(facility_id, demo_settings(facility_id, **changes))
    )


def stored_events(identity: Identity) -> int:
    return identity.store.tracking.max_notification_id() or 0


def test_a_new_facility_is_revision_one_with_its_settings(identity: Identity) -> None:
    configured = configure(identity, FAC_DEMO)
    assert (configured.facility_id, configured.revision) == (FAC_DEMO, 1)
    found = get_facility(identity, FAC_DEMO)
    assert (found.facility_id, found.revision) == (FAC_DEMO, 1)
    assert found.settings == DEMO_FACILITIES[FAC_DEMO]
    assert identity.facilities.settings(FAC_DEMO).time_zone == "America/Chicago"


def test_each_change_is_a_new_revision_and_the_same_settings_are_none(identity: Identity) -> None:
    configure(identity, FAC_DEMO)
    changed = configure(identity, FAC_DEMO, weekly_deposit_limit_cents=25000)
    assert changed.revision == 2
    before = stored_events(identity)
    again = configure(identity, FAC_DEMO, weekly_deposit_limit_cents=25000)
    assert again.revision == 2
    assert stored_events(identity) == before, "identical settings must record (and publish) nothing"
    found = get_facility(identity, FAC_DEMO)
    assert (found.revision, found.settings.weekly_deposit_limit_cents) == (2, 25000)


def test_the_list_shows_every_facility_as_it_is_now(identity: Identity) -> None:
    assert list_facilities(identity) == []
    configure(identity, FAC_EAST)
    configure(identity, FAC_DEMO)
    configure(identity, FAC_DEMO, name="Demo County Jail (new wing)")
    listed = list_facilities(identity)
    assert [(f.facility_id, f.revision) for f in listed] == [(FAC_DEMO, 2), (FAC_EAST, 1)]
    assert listed[0].settings.name == "Demo County Jail (new wing)"
    assert listed[1].settings == DEMO_FACILITIES[FAC_EAST]


def test_invalid_settings_are_refused_naming_the_field_and_nothing_is_stored(
    identity: Identity,
) -> None:
    tiers = [{"up_to_cents": 5000, "fee_cents": 300}, {"up_to_cents": 1000, "fee_cents": 100}]
    with refused(InvalidArgument, "facility_settings_invalid", "settings.deposit_fee_tiers"):
        configure(identity, FAC_DEMO, deposit_fee_tiers=tiers)
    assert stored_events(identity) == 0
    configure(identity, FAC_DEMO)
    with refused(InvalidArgument, "facility_settings_invalid", "settings.time_zone"):
        configure(identity, FAC_DEMO, time_zone="Europe/Atlantis")
    assert get_facility(identity, FAC_DEMO).revision == 1


@pytest.mark.parametrize(
    ("kind", "population", "cap"),
    [
        ("prison", 5000, 16),
        ("jail", 1000, 11),
        ("jail", 999, 12),
        ("jail", 350, 12),
        ("jail", 349, 14),
        ("jail", 100, 14),
        ("jail", 99, 25),
    ],
)
def test_a_video_price_above_the_fcc_cap_for_the_facility_is_refused(
    identity: Identity, kind: str, population: int, cap: int
) -> None:
    tier = {"facility_kind": kind, "average_daily_population": population}
    with refused(InvalidArgument, "video_price_above_cap", "settings.video_price_per_minute_cents"):
        configure(identity, FAC_DEMO, video_price_per_minute_cents=cap + 1, **tier)
    assert stored_events(identity) == 0
    configured = configure(identity, FAC_DEMO, video_price_per_minute_cents=cap, **tier)
    assert configured.settings.video_price_per_minute_cents == cap


@pytest.mark.parametrize(
    ("facility_id", "code"), [("  ", "facility_id_missing"), ("FAC DEMO", "facility_id_invalid")]
)
def test_a_facility_needs_a_plain_id(identity: Identity, facility_id: str, code: str) -> None:
    with refused(InvalidArgument, code, None):
        configure_facility(identity, ConfigureFacility(facility_id, demo_settings(FAC_DEMO)))


def test_an_unknown_facility_is_not_found(identity: Identity) -> None:
    with refused(NotFound, "facility_not_found", None):
        get_facility(identity, "FAC-NOWHERE")
    with refused(NotFound, "facility_not_found", None):
        identity.facilities.settings("FAC-NOWHERE")


def test_every_revision_is_published_whole_as_facility_configured(identity: Identity) -> None:
    configure(identity, FAC_DEMO)
    configure(identity, FAC_DEMO, weekly_deposit_limit_cents=12345)
    translate = IdentityEventTranslator(identity.store)
    published = [
        message
        for notification in identity.store.tracking.select_notifications(1, 10)
        if (message := translate(notification)) is not None
    ]
    events = [Envelope.from_bytes(message.value) for message in published]
    assert [(e.type, e.key, e.payload["revision"]) for e in events] == [
        ("FacilityConfigured", FAC_DEMO, 1),
        ("FacilityConfigured", FAC_DEMO, 2),
    ]
    assert FacilityConfigured.model_validate(events[1].payload).settings == DEMO_FACILITIES[
        FAC_DEMO
    ].model_copy(update={"weekly_deposit_limit_cents": 12345})
