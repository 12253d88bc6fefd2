"""The ledger's audit stream: every stored event with its hash-chain link, for the relay to
publish on `kinlink.ledger.audit.v1` (see kinlink_contracts.ledger_audit)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Notification
from kinlink_contracts.ledger_audit import AUDIT_KEY
from kinlink_contracts.ledger_audit import AuditRecord
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_kit.bus import OutgoingMessage

from kinlink_ledger.service_layer.ledger import LedgerStore


class AuditStream:
    def __init__(self, store: LedgerStore, topic: str = LEDGER_AUDIT) -> None:
        self.store = store
        self.topic = topic

    def __call__(self, notifications: Sequence[Notification]) -> Sequence[OutgoingMessage]:
        if not notifications:
            return []
        first, last = notifications[0].id, notifications[-1].id
        links = {
            position: (previous_hash, hash_)
            for position, previous_hash, hash_ in self.store.chain_links(
                first - 1, last - first + 1
            )
        }
        messages = []
        for n in notifications:
            previous_hash, hash_ = links[n.id]
            record = AuditRecord(
                position=n.id,
                originator_id=UUID(str(n.originator_id)),
                originator_version=n.originator_version,
                topic=n.topic,
                state=n.state,
                previous_hash=previous_hash,
                hash=hash_,
            )
            messages.append(OutgoingMessage(self.topic, AUDIT_KEY, record.to_bytes()))
        return messages
