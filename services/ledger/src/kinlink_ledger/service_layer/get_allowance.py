"""GetAllowance: an allowance, what its hold is, and what was captured and released of it.

Who sees it, as for deposits: the family member it is for, officers of its facility, operators,
auditors and Kinlink's services; to anyone else it does not exist.
"""

from __future__ import annotations

from kinlink_kit.auth import Principal

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.service_layer.allowances import allowance_for
from kinlink_ledger.service_layer.deposit_history import may_see
from kinlink_ledger.service_layer.ledger import Ledger


def get_allowance(ledger: Ledger, allowance_id: str, viewer: Principal) -> CommissaryAllowance:
    return allowance_for(
        ledger,
        allowance_id,
        lambda allowance: may_see(viewer, str(allowance.account_id), allowance.facility_id),
    )
