"""The console's commissary packs to look at: a facility's flagged packs in the order the
commissary gives them (overdue, resident transferred or released), the facility's decision
recorded with a note, a refusal said beside its field, operators' list of every facility, and
officers kept out of facilities not theirs and of the every-facility list."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_portal.sentences import sentence
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import STAFF_CLOCK
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import refusal
from tests.unit.portal.conftest import staff_portal

PACKS = "/console/facilities/FAC-EAST/commissary"
EAST = identity_pb.Facility(
    facility_id="FAC-EAST",
    settings=identity_pb.FacilitySettings(name="East Jail", time_zone="America/Chicago"),
)


def flagged(order_id: str, **state: object) -> pb.Order:
    at = Timestamp(seconds=STAFF_CLOCK)
    return pb.Order(
        order_id=order_id,
        facility_id="FAC-EAST",
        resident_id="R-7",
        vendor="Keefe",
        total_cents=2199,
        status=pb.ORDER_STATUS_PAID,
        receipt_number=f"KL-{order_id}",
        paid_at=at,
        flagged_at=at,
        resident_left_at=at,
        fulfilment=pb.FULFILMENT_SHIPPED,
        carrier="UPS",
        tracking_number="1Z999",
        **{"resident_left": pb.RESIDENT_LEFT_NONE, **state},  # type: ignore[arg-type]
    )


@pytest.fixture
def commissary() -> StandInIdentity:
    return StandInIdentity(
        {
            "ListFlaggedOrders": pb.ListOrdersResponse(
                orders=[
                    flagged("o-1", overdue=True),
                    flagged("o-2", resident_left=pb.RESIDENT_LEFT_RELEASED),
                ]
            )
        }
    )


def signed_in(
    identity: StandInIdentity, commissary: StandInIdentity, account: identity_pb.Account
) -> Iterator[TestClient]:
    identity.answers["GetFacility"] = EAST
    identity.answers["ListFacilities"] = identity_pb.ListFacilitiesResponse(facilities=[EAST])
    for client in staff_portal(identity, account):
        client.app.state.services.commissary = commissary  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def officer(identity: StandInIdentity, commissary: StandInIdentity) -> Iterator[TestClient]:
    account = identity_pb.Account(
        first_name="Olive", roles=["facility_officer"], facility_ids=["FAC-EAST"]
    )
    yield from signed_in(identity, commissary, account)


@pytest.fixture
def operator(identity: StandInIdentity, commissary: StandInIdentity) -> Iterator[TestClient]:
    yield from signed_in(identity, commissary, identity_pb.Account(roles=["operator"]))


def test_the_facilitys_flagged_packs_say_why_and_only_a_gone_residents_asks_for_a_decision(
    officer: TestClient, commissary: StandInIdentity
) -> None:
    page = officer.get(PACKS).text
    assert re.findall(r'data-order="([^"]+)"', page) == ["o-1", "o-2"]
    assert "Overdue: not delivered a week after it was paid" in page
    assert "The resident was released on" in page
    assert "UPS 1Z999" in page and "$21.99" in page
    actions = re.findall(r'action="([^"]+/decision)"', page)
    assert actions == [f"{PACKS}/o-2/decision"]
    (asked,) = [request for name, request, _ in commissary.calls if name == "ListFlaggedOrders"]
    assert asked == pb.ListFlaggedOrdersRequest(facility_id="FAC-EAST", page_size=20)
    assert f'<a href="{PACKS}">' in officer.get("/console").text
    assert 'href="/console/commissary"' not in officer.get("/console").text


def test_an_officer_records_the_decision_with_a_note(
    officer: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["RecordPackDecision"] = flagged("o-2")
    token = csrf_of(officer.get(PACKS).text)
    recorded = officer.post(
        f"{PACKS}/o-2/decision",
        data={"csrf_token": token, "decision": "held_for_pickup", "note": "Until Friday."},
        follow_redirects=False,
    )
    assert recorded.headers["location"] == f"{PACKS}?notice=decided"
    (asked,) = [request for name, request, _ in commissary.calls if name == "RecordPackDecision"]
    assert asked == pb.RecordPackDecisionRequest(
        order_id="o-2", decision="held_for_pickup", note="Until Friday."
    )
    assert "decision is recorded: the family sees it" in officer.get(f"{PACKS}?notice=decided").text


def test_a_refused_decision_is_said_beside_that_packs_choice(
    officer: TestClient, commissary: StandInIdentity
) -> None:
    commissary.answers["RecordPackDecision"] = refusal(
        FailedPrecondition("pack_already_decided", "decided", field="decision")
    )
    token = csrf_of(officer.get(PACKS).text)
    page = officer.post(
        f"{PACKS}/o-2/decision", data={"csrf_token": token, "decision": "discarded", "note": ""}
    )
    assert page.status_code == 400
    assert error_beside(page.text, "decision-o-2") == sentence("pack_already_decided")
    assert '<option value="discarded" selected>' in page.text


def test_operators_see_every_facilitys_flagged_packs(
    operator: TestClient, commissary: StandInIdentity
) -> None:
    page = operator.get("/console/commissary").text
    assert re.findall(r'data-order="([^"]+)"', page) == ["o-1", "o-2"]
    (asked,) = [request for name, request, _ in commissary.calls if name == "ListFlaggedOrders"]
    assert asked == pb.ListFlaggedOrdersRequest(facility_id="", page_size=20)
    assert 'href="/console/commissary"' in operator.get("/console").text


def test_officers_are_kept_to_their_facilities(
    officer: TestClient, commissary: StandInIdentity
) -> None:
    assert officer.get("/console/commissary").status_code == 403
    assert officer.get("/console/facilities/FAC-DEMO/commissary").status_code == 403
    assert [name for name, _, _ in commissary.calls] == []


def test_the_packs_and_the_decisions_in_spanish(
    officer: TestClient, commissary: StandInIdentity
) -> None:
    officer.cookies.set("kinlink_language", "es")
    page = officer.get(PACKS).text
    assert "<h1>Paquetes de comisaría por revisar</h1>" in page
    assert "Atrasado: no entregado una semana después de pagado" in page
    assert "El residente fue liberado el" in page
    assert "Guardado en el centro para que lo recojan" in page
    assert "Registrar la decisión" in page
