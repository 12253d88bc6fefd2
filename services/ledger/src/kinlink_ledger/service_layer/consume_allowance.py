"""AllowanceConsumed from the commissary: an order paid from an allowance, counted once per order
against what is left of it.

An order above what is left is covered up to it; its excess is recorded with the order, reported
(logged) and never captured. Nothing is captured yet: what was used is captured when the
allowance ends (see domain.allowance for why).
"""

from __future__ import annotations

from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.envelope import Envelope
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import rejecting
from kinlink_kit.eventstore import Tracking
from kinlink_kit.logging import get_logger

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.allowances import require_allowance
from kinlink_ledger.service_layer.ledger import Ledger

log = get_logger(__name__)


class OrderElsewhere(EventRejected):
    """The order names another resident or facility than the allowance was authorised for: it
    is not charged to this family (the event goes to the dead-letter topic)."""


def consume_allowance(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    consumed = AllowanceConsumed.model_validate(envelope.payload)

    def consume(allowance: CommissaryAllowance) -> Cents:
        where = (consumed.facility_id, consumed.resident_id)
        if where != (allowance.facility_id, allowance.resident_id):
            raise OrderElsewhere(
                envelope.type,
                "order_elsewhere",
                f"order {consumed.order_id} at {where} is not for allowance "
                f"{consumed.allowance_id} ({allowance.facility_id}, {allowance.resident_id})",
            )
        return allowance.consume(consumed.order_id, Cents(consumed.amount_cents))

    def attempt() -> tuple[CommissaryAllowance, Cents]:
        allowance = require_allowance(ledger, consumed.allowance_id)
        excess = consume(allowance)
        ledger.store.save_tracked(tracking, allowance)
        return allowance, excess

    def applied_meanwhile() -> tuple[CommissaryAllowance, Cents] | None:
        # The same event delivered twice at once: the other delivery counted the order.
        if ledger.store.has_processed(tracking):
            return require_allowance(ledger, consumed.allowance_id), Cents(0)
        return None

    with rejecting(envelope):
        allowance, excess = ledger.retrying(attempt, on_conflict=applied_meanwhile)
    if excess:
        log.warning(
            "order not covered by its allowance",
            allowance_id=str(consumed.allowance_id),
            order_id=consumed.order_id,
            amount_cents=consumed.amount_cents,
            excess_cents=excess,
            allowance_status=allowance.status.value,
        )
