"""The ledger's AllowanceEnded: what it captured of the allowance's hold and released, and the
receipt of the capture, recorded on the allowance for the family's history and receipts. An
allowance this service does not know (the ledger's own, held for another client) is not ours:
nothing changes."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import AllowanceEnded
from kinlink_kit.eventstore import Tracking

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.service_layer.commissary import Commissary


def allowance_settled(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    ended = AllowanceEnded.model_validate(envelope.payload)

    def attempt() -> bool:
        allowance = commissary.find(Allowance.create_id(ended.allowance_id), Allowance)
        if allowance is not None:
            allowance.settle(
                ended.captured_cents,
                ended.released_cents,
                ended.receipt_number or "",
                envelope.occurred_at,
            )
        commissary.store.save_tracked(tracking, *([allowance] if allowance else []))
        return True

    commissary.retrying(
        attempt, on_conflict=lambda: True if commissary.store.has_processed(tracking) else None
    )
