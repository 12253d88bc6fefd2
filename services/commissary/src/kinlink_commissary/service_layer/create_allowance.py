"""CreateAllowance: a family member gives a resident a commissary allowance, held on their card.

The ledger is asked for the hold FIRST, under the same allowance id (a repeat holds once there
too), and the allowance is saved with its answer: ACTIVE, or DECLINED with the reason. A crash
or a lost answer between the two leaves a hold the ledger knows and this service does not: the
family's repeat of the request (same allowance id) gets that hold back and saves the allowance.
A repeat of a saved allowance returns it; another request under its id is refused.
The resident is not notified (requirements: it is the family's job to tell them).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from kinlink_contracts.ids import canonical_id
from kinlink_kit.errors import FailedPrecondition

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import check_request
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.resident_allowances import ResidentAllowances
from kinlink_commissary.service_layer.commissary import Commissary


class CommissaryUnavailable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "commissary_unavailable", "This facility does not offer commissary at the moment."
        )


@dataclass(frozen=True)
class CreateAllowance:
    allowance_id: UUID  # the client's key
    request: AllowanceRequest


def create_allowance(commissary: Commissary, command: CreateAllowance) -> Allowance:
    # The ids' one spelling: residents are recorded and purchases reported under it, and the
    # allowance is found for them only under it.
    request = replace(
        command.request,
        facility_id=canonical_id(command.request.facility_id),
        resident_id=canonical_id(command.request.resident_id),
    )
    command = replace(command, request=request)
    check_request(request)
    first = _repeat(commissary, command)
    if first is not None:
        return first
    facility = commissary.facilities.facility(request.facility_id)
    if not facility.commissary_available:
        raise CommissaryUnavailable()
    commissary.residents.require_held(request.facility_id, request.resident_id)
    hold = commissary.holds.authorize(command.allowance_id, request)
    period = timedelta(days=facility.allowance_period_days)

    def save_new() -> Allowance:
        allowance = Allowance.answered(
            command.allowance_id, request, hold, commissary.clock(), period
        )
        if not hold.held:
            commissary.store.save(allowance)
            return allowance
        # Listed for the resident's purchases in the same transaction.
        index_id = ResidentAllowances.create_id(request.facility_id, request.resident_id)
        index = commissary.find(index_id, ResidentAllowances) or ResidentAllowances(
            request.facility_id, request.resident_id
        )
        index.add(allowance.allowance_id)
        commissary.store.save(allowance, index)
        return allowance

    # Asked twice at once: the allowance saved first is the answer to both.
    return commissary.retrying(save_new, on_conflict=lambda: _repeat(commissary, command))


def _repeat(commissary: Commissary, command: CreateAllowance) -> Allowance | None:
    """The allowance already saved under the id, if the same request saved it."""
    first = commissary.find(Allowance.create_id(command.allowance_id), Allowance)
    if first is not None:
        first.check_same_request(command.request)
    return first
