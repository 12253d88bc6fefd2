"""BlockResident: a family member blocks a resident, at any time: the resident's replies are
refused from then on, and the family member cannot message them until unblocking."""

from __future__ import annotations

from uuid import UUID

from kinlink_messaging.domain.blocks import Blocks
from kinlink_messaging.domain.ids import blocks_id
from kinlink_messaging.service_layer.messaging import Messaging


def block_resident(
    messaging: Messaging, account_id: UUID, facility_id: str, resident_id: str
) -> Blocks:
    def blocking(blocks: Blocks) -> Blocks:
        blocks.block(facility_id, resident_id, messaging.clock())
        return blocks

    return messaging.change(
        blocks_id(account_id), Blocks, blocking, create=lambda: Blocks(account_id)
    )
