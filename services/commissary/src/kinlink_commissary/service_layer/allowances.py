"""Finding an allowance for the one who asks: the family member it is for, staff of its
facility, operators and Kinlink's services. To anyone else it does not exist (ids tell nothing
about other families)."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.auth import Principal

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceNotFound
from kinlink_commissary.service_layer.commissary import Commissary


def may_see(viewer: Principal, allowance: Allowance) -> bool:
    return viewer.account_id == str(allowance.account_id) or viewer.in_scope(allowance.facility_id)


def allowance_for(commissary: Commissary, allowance_id: UUID, viewer: Principal) -> Allowance:
    allowance = commissary.find(Allowance.create_id(allowance_id), Allowance)
    if allowance is None or not may_see(viewer, allowance):
        raise AllowanceNotFound()
    return allowance
