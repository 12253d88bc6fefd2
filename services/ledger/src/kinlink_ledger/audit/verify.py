"""`kinlink ledger verify`: the hash chain holds, and every journal entry balances.

Each finding names the event at fault (its position, aggregate and version) and what is wrong,
so an auditor can go straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper
from kinlink_kit.progress import Progress

from kinlink_ledger.adapters.hash_chain import ChainBreak
from kinlink_ledger.adapters.hash_chain import ChainedEvent
from kinlink_ledger.adapters.hash_chain import ChainVerifier
from kinlink_ledger.audit.sources import Batches
from kinlink_ledger.domain.journal import imbalance


@dataclass
class VerifyReport:
    events: int = 0
    entries: int = 0
    debits: int = 0
    credits: int = 0
    findings: list[ChainBreak] = field(default_factory=list)
    last_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings and self.debits == self.credits


def decode(mapper: Mapper[UUID], event: ChainedEvent) -> Aggregate.Event:
    """The domain event (every ledger event is an aggregate's)."""
    domain_event = mapper.to_domain_event(event.notification())
    if not isinstance(domain_event, Aggregate.Event):
        raise TypeError(f"not a ledger event: {event.topic}")
    return domain_event


async def verify(batches: Batches, mapper: Mapper[UUID], progress: Progress) -> VerifyReport:
    report = VerifyReport()
    chain = ChainVerifier()
    async for batch in batches:
        for event in batch:
            report.events += 1
            report.findings.extend(chain.check(event))
            if event.originator_id is not None and event.hash:
                _check_entry(mapper, event, report)
        progress.add(len(batch))
    report.last_hash = chain.previous_hash
    progress.finish()
    return report


def _check_entry(mapper: Mapper[UUID], event: ChainedEvent, report: VerifyReport) -> None:
    where = (event.position, event.originator_id, event.originator_version, event.topic)
    try:
        domain_event = decode(mapper, event)
    except Exception as error:  # an altered event may not even decode
        report.findings.append(ChainBreak(*where, f"cannot be read: {error}"))
        return
    entry = getattr(domain_event, "entry", None)
    if entry is None:
        return
    report.entries += 1
    report.debits += sum(amount for amount in entry.values() if amount > 0)
    report.credits -= sum(amount for amount in entry.values() if amount < 0)
    off = imbalance(entry)
    if off != 0:
        side = "debits exceed credits" if off > 0 else "credits exceed debits"
        report.findings.append(
            ChainBreak(*where, f"its journal entry does not balance: {side} by {abs(off)} cents")
        )
