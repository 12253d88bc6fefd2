"""The ID-verification rule applied to one deposit (requirements: "due to Federal regulations, some
accounts must pass an ID verification")."""

from __future__ import annotations

from kinlink_ledger.domain.depositor_deposits import DepositorDeposits
from kinlink_ledger.domain.facility import ID_VERIFICATION_WINDOW
from kinlink_ledger.domain.facility import FacilityRules
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.ledger import Ledger


def check_id_verification(
    ledger: Ledger,
    facility: FacilityRules,
    depositor: DepositorDeposits,
    amount: Cents,
    verified: bool,
) -> None:
    """Refuse `amount` when the facility needs a verified depositor for it. The depositor's
    30-day total is every request recorded in `depositor` (which a confirmation saves with its
    deposit) except those since declined."""
    since = ledger.clock() - ID_VERIFICATION_WINDOW

    def recent_total() -> Cents:
        declined = ledger.views.deposits.declined_since(depositor.depositor_id, since)
        recent = depositor.amounts_since(since)
        return Cents(sum(amount for key, amount in recent.items() if key not in declined))

    facility.id_verification.check(verified, recent_total, amount)
