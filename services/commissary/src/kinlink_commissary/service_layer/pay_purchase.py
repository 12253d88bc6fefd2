"""CommissaryPurchased from a facility: the resident's ACTIVE allowances at the facility pay the
purchase first, oldest first, each at most what it has left; each part becomes one
AllowanceConsumed (the ledger captures exactly those parts when the allowance ends). The
purchase, the allowances it changed and the event's tracking record are saved in one
transaction; a purchase reported again (the same order reference) pays nothing more.

A purchase made when the resident had no allowance is recorded all the same: it was paid from
the resident's own balance, which is the facility's, not ours.
"""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import CommissaryPurchased
from kinlink_kit.eventstore import Tracking

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.purchase import Purchase
from kinlink_commissary.domain.resident_allowances import ResidentAllowances
from kinlink_commissary.service_layer.commissary import Commissary


def commissary_purchased(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    # A report that breaks the schema (nothing bought, no reference) is the consumer's to
    # dead-letter.
    purchased = CommissaryPurchased.model_validate(envelope.payload)

    def attempt() -> bool:
        key = Purchase.create_id(purchased.facility_id, purchased.order_reference)
        if commissary.find(key, Purchase) is not None:
            commissary.store.save_tracked(tracking)  # reported before: paid then
            return True
        index = commissary.find(
            ResidentAllowances.create_id(purchased.facility_id, purchased.resident_id),
            ResidentAllowances,
        )
        allowance_ids = index.allowance_ids if index is not None else []
        allowances = [
            allowance
            for allowance_id in allowance_ids
            if (allowance := commissary.find(Allowance.create_id(allowance_id), Allowance))
        ]
        purchase = Purchase.paid_from(
            purchased.facility_id,
            purchased.order_reference,
            purchased.resident_id,
            purchased.amount_cents,
            purchased.purchased_at,
            allowances,
        )
        paying = [a for a in allowances if str(a.allowance_id) in purchase.paid_by_allowances]
        commissary.store.save_tracked(tracking, purchase, *paying)
        return True

    # The same event delivered twice at once: the other delivery paid it.
    commissary.retrying(
        attempt, on_conflict=lambda: True if commissary.store.has_processed(tracking) else None
    )
