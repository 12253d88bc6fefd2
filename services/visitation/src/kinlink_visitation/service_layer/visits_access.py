"""Who may see a visit: the family member who booked it; staff of its facility and operators.
Someone else's visit is not found, as if it did not exist."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role

from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.service_layer.visitation import Visitation

STAFF = frozenset({Role.FACILITY_OFFICER, Role.OPERATOR})


def booked_by(visit: Visit, principal: Principal) -> bool:
    return str(visit.account_id) == principal.account_id


def check_staff(visit: Visit, principal: Principal) -> None:
    """Staff of the visit's facility; anyone else's call about it finds nothing."""
    if not principal.roles & STAFF:
        raise VisitNotFound()
    principal.require_facility(visit.facility_id)


def get_visit(visitation: Visitation, principal: Principal, visit_id: UUID) -> Visit:
    visit = visitation.find(Visit.create_id(visit_id), Visit, to_change=False)
    if visit is None:
        raise VisitNotFound()
    if not booked_by(visit, principal):
        check_staff(visit, principal)
    return visit
