"""The facility settings an operator changes in the console: every setting identity keeps that
the form shows, amounts in dollars, fee tiers by rows (a blank row removes a tier), refusals
beside the input at fault, the settings it does not show kept as they were."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.errors import InvalidArgument
from starlette.testclient import TestClient

from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import refusal
from tests.unit.portal.conftest import staff_portal

EDIT = "/console/facilities/FAC-EAST/edit"
SETTINGS = pb.FacilitySettings(
    name="East Jail",
    time_zone="America/Chicago",
    weekly_deposit_limit_cents=30000,
    deposit_fee_tiers=[
        pb.FeeTier(up_to_cents=2000, fee_cents=295),
        pb.FeeTier(up_to_cents=10000, fee_cents=495),
    ],
    accepted_card_brands=["mastercard", "visa"],
    message_price_cents=50,
    image_price_cents=100,
    review_policy="review_none",
    visiting_hours=[pb.VisitingWindow(day="monday", opens="09:00", closes="11:00")],
    video_stations=2,
    video_price_per_minute_cents=25,
    sms_available=True,
    commissary_posting_day="monday",
    id_verification="never",
    messaging_funding_options_cents=[1000, 2000],
)  # fmt: skip


@pytest.fixture
def operator(identity: StandInIdentity) -> Iterator[TestClient]:
    identity.answers["GetFacility"] = pb.Facility(facility_id="FAC-EAST", settings=SETTINGS)
    yield from staff_portal(identity, pb.Account(first_name="Oscar", roles=["operator"]))


def shown_form(page: str) -> dict[str, list[str]]:
    """What the browser would post for the page's form as it stands (ticked boxes only)."""
    posted: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        posted.setdefault(html.unescape(name.group(1)), []).append(
            html.unescape(value.group(1)) if value else "on"
        )
    for select in re.finditer(r'<select id="([^"]+)".*?</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
        posted[select.group(1)] = [chosen.group(1) if chosen else ""]
    return posted


def post(client: TestClient, posted: dict[str, list[str]]) -> object:
    return client.post(EDIT, data=posted, follow_redirects=False)  # type: ignore[arg-type]


def configured(identity: StandInIdentity) -> list[pb.FacilitySettings]:
    return [request.settings for name, request, _ in identity.calls if name == "ConfigureFacility"]


def test_saving_the_form_unchanged_keeps_every_setting(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ConfigureFacility"] = pb.Facility(facility_id="FAC-EAST")
    answer = post(operator, shown_form(operator.get(EDIT).text))
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert configured(identity) == [SETTINGS]


def test_the_operator_changes_fees_brands_policies_and_prices(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ConfigureFacility"] = pb.Facility(facility_id="FAC-EAST")
    posted = shown_form(operator.get(EDIT).text)
    posted |= {
        "settings.deposit_fee_tiers[0].up_to_cents": [""],  # the first tier removed
        "settings.deposit_fee_tiers[0].fee_cents": [""],
        "settings.deposit_fee_tiers[2].up_to_cents": ["300"],
        "settings.deposit_fee_tiers[2].fee_cents": ["7.95"],
        "settings.accepted_card_brands": ["visa", "amex"],
        "settings.id_verification": ["before_deposit"],
        "settings.id_verification_threshold_cents": ["500"],
        "settings.message_price_cents": ["0.75"],
        "settings.review_policy": ["review_all"],
        "settings.video_stations": ["4"],
        "settings.refund_rejected_messages": ["on"],
    }
    del posted["settings.sms_available"]  # unticked
    post(operator, posted)
    expected = pb.FacilitySettings()
    expected.CopyFrom(SETTINGS)
    del expected.deposit_fee_tiers[:]
    expected.deposit_fee_tiers.add(up_to_cents=10000, fee_cents=495)
    expected.deposit_fee_tiers.add(up_to_cents=30000, fee_cents=795)
    expected.accepted_card_brands[:] = ["amex", "visa"]
    expected.id_verification = "before_deposit"
    expected.id_verification_threshold_cents = 50000
    expected.message_price_cents = 75
    expected.review_policy = "review_all"
    expected.video_stations = 4
    expected.sms_available = False
    expected.refund_rejected_messages = True
    assert configured(identity) == [expected]


def test_every_amount_the_portal_cannot_read_is_said_beside_it(
    operator: TestClient, identity: StandInIdentity
) -> None:
    posted = shown_form(operator.get(EDIT).text)
    posted |= {
        "settings.deposit_fee_tiers[1].fee_cents": ["four"],
        "settings.image_price_cents": ["1.234"],
        "settings.video_stations": ["two"],
    }
    answer = post(operator, posted)
    page = answer.text  # type: ignore[attr-defined]
    assert answer.status_code == 400  # type: ignore[attr-defined]
    dollars = "Enter an amount in dollars, like 300.00."
    assert error_beside(page, "settings.deposit_fee_tiers[1].fee_cents") == dollars
    assert error_beside(page, "settings.image_price_cents") == dollars
    assert error_beside(page, "settings.video_stations") == "Enter a whole number, like 4."
    assert 'value="four"' in page  # what was typed is kept
    assert configured(identity) == []


def test_a_tiers_refusal_is_said_beside_the_row_it_was_typed_in(
    operator: TestClient, identity: StandInIdentity
) -> None:
    # Row 0 left blank: identity's second tier is the form's third row.
    identity.answers["ConfigureFacility"] = refusal(
        InvalidArgument(
            "facility_settings_invalid", "no", field="settings.deposit_fee_tiers[1].up_to_cents"
        )
    )
    posted = shown_form(operator.get(EDIT).text)
    posted |= {
        "settings.deposit_fee_tiers[0].up_to_cents": [""],
        "settings.deposit_fee_tiers[0].fee_cents": [""],
        "settings.deposit_fee_tiers[2].up_to_cents": ["50"],
        "settings.deposit_fee_tiers[2].fee_cents": ["1"],
    }
    page = post(operator, posted).text  # type: ignore[attr-defined]
    assert error_beside(page, "settings.deposit_fee_tiers[2].up_to_cents") == (
        "This setting is not valid. Check it and try again."
    )


def test_an_officer_cannot_change_the_settings(identity: StandInIdentity) -> None:
    identity.answers["GetFacility"] = pb.Facility(facility_id="FAC-EAST", settings=SETTINGS)
    officer = pb.Account(roles=["facility_officer"], facility_ids=["FAC-EAST"])
    for client in staff_portal(identity, officer):
        assert client.get(EDIT).status_code == 403
        assert client.post(EDIT, data={}).status_code == 403
    assert configured(identity) == []


def test_the_facility_page_names_its_policies_in_the_visitors_language(
    operator: TestClient,
) -> None:
    english = operator.get("/console/facilities/FAC-EAST").text
    assert "Messages go straight to the resident" in english and "Monday" in english
    spanish = operator.get("/console/facilities/FAC-EAST", headers={"accept-language": "es"})
    assert "Los mensajes llegan directamente a la persona" in spanish.text
    assert "Nunca" in spanish.text and "Lunes" in spanish.text


def test_the_operator_sets_video_visits_with_the_fccs_cap_said(
    operator: TestClient, identity: StandInIdentity
) -> None:
    page = operator.get(EDIT).text
    assert "At most $0.25: the FCC" in html.unescape(page)  # a jail of under 100 people
    identity.answers["ConfigureFacility"] = pb.Facility(facility_id="FAC-EAST")
    posted = shown_form(page) | {
        "settings.facility_kind": ["jail"],
        "settings.average_daily_population": ["400"],
        "settings.video_slot_minutes": ["20, 40"],
        "settings.video_booking_lead_minutes": ["60"],
        "settings.video_booking_horizon_days": ["30"],
        "settings.video_blackout_dates": ["2026-12-25, 2027-01-01"],
        "settings.video_price_per_minute_cents": ["0.12"],
    }
    post(operator, posted)
    (sent,) = configured(identity)
    # A jail, the default kind, stays left out; its size moves its cap to 12 cents.
    assert (sent.facility_kind, sent.average_daily_population) == ("", 400)
    assert list(sent.video_slot_minutes) == [20, 40]
    assert (sent.video_booking_lead_minutes, sent.video_booking_horizon_days) == (60, 30)
    assert list(sent.video_blackout_dates) == ["2026-12-25", "2027-01-01"]
    assert sent.video_price_per_minute_cents == 12


def test_video_settings_the_portal_cannot_read_are_said_beside_them(
    operator: TestClient, identity: StandInIdentity
) -> None:
    posted = shown_form(operator.get(EDIT).text) | {
        "settings.video_slot_minutes": ["15, half an hour"],
        "settings.video_blackout_dates": ["Christmas"],
    }
    page = operator.post(EDIT, data=posted).text  # type: ignore[arg-type]
    assert error_beside(page, "settings.video_slot_minutes") == (
        "Enter whole numbers separated by commas, such as 15, 30."
    )
    assert error_beside(page, "settings.video_blackout_dates") == (
        "Enter dates as YYYY-MM-DD, separated by commas."
    )
    assert configured(identity) == []
