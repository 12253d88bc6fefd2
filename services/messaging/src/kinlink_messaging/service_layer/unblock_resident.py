"""UnblockResident: a blocked resident may exchange messages with the family member again."""

from __future__ import annotations

from uuid import UUID

from kinlink_messaging.domain.blocks import Blocks
from kinlink_messaging.domain.ids import blocks_id
from kinlink_messaging.service_layer.messaging import Messaging


def unblock_resident(
    messaging: Messaging, account_id: UUID, facility_id: str, resident_id: str
) -> Blocks:
    def unblocking(blocks: Blocks) -> Blocks:
        blocks.unblock(facility_id, resident_id, messaging.clock())
        return blocks

    return messaging.change(
        blocks_id(account_id), Blocks, unblocking, create=lambda: Blocks(account_id)
    )
