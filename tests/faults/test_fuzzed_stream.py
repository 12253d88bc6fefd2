"""10,000 seeded random messages, valid and malformed, on a live topic the ledger's consumer
follows: every one applied or dead-lettered, the consumer alive throughout, the journal balanced."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC
from datetime import datetime
from functools import partial

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import DepositPosted
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.consumer import event_tracking
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.post_deposit import post_deposit
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.ledger_facilities import D1
from tests.ledger_facilities import book
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic
from tests.tally import unique_topic

MESSAGES = 10_000
DEPOSITS = 20


Deposit = tuple[uuid.UUID, str]  # a deposit's id and the resident it is to


def captured_deposits(ledger: Ledger) -> list[Deposit]:
    made = []
    for i in range(DEPOSITS):
        resident = f"R-{uuid.uuid4().hex[:8]}"
        book(ledger, "FAC-DEMO", resident)
        quote = quote_deposit(ledger, QuoteDeposit("FAC-DEMO", resident, D1, Cents(1000 + i)))
        deposit = confirm_deposit(
            ledger, ConfirmDeposit(str(quote.id), D1, "pm_card_visa", f"k{i}")
        )
        made.append((deposit.id, resident))
    return made


def posted(deposit: Deposit) -> bytes:
    deposit_id, resident = deposit
    event = DepositPosted(
        deposit_id=deposit_id, facility_id="FAC-DEMO", resident_id=resident, posted_reference="T-1"
    )
    envelope = Envelope.wrap(
        event, key=resident, producer="facility", correlation_id="c", occurred_at=datetime.now(UTC)
    )
    return envelope.to_bytes()


def fuzzed(rng: random.Random, deposits: list[Deposit], sent: list[bytes]) -> tuple[bytes, bool]:
    """A message and whether the ledger can apply it."""
    kind = rng.randrange(7)
    if kind == 0:
        return posted(rng.choice(deposits)), True
    if kind == 1 and sent:
        return rng.choice(sent), True  # published again: applied once, by its event id
    if kind == 2:
        return posted((uuid.uuid4(), "R-1")), False  # no such deposit: rejected
    if kind == 3:
        return rng.randbytes(rng.randrange(0, 64)), False
    if kind == 4:
        whole = posted(rng.choice(deposits))
        return whole[: rng.randrange(len(whole))], False
    envelope = json.loads(posted(rng.choice(deposits)))
    if kind == 5:
        envelope["payload"][rng.choice(list(envelope["payload"]))] = rng.choice([None, 7, []])
    else:
        del envelope[rng.choice([k for k in envelope if k != "causation_id"])]  # a required one
    return json.dumps(envelope).encode(), False


async def test_every_fuzzed_message_is_applied_or_dead_lettered(
    infra: Infra, postgres_ledger: Ledger
) -> None:
    ledger = postgres_ledger
    rng = random.Random(20261125)
    deposits = captured_deposits(ledger)
    messages: list[tuple[bytes, bool]] = []
    sent: list[bytes] = []
    for _ in range(MESSAGES - 1):
        value, applicable = fuzzed(rng, deposits, sent)
        messages.append((value, applicable))
        if applicable:
            sent.append(value)
    sentinel = posted(deposits[0])
    messages.append((sentinel, True))  # the last: handled only if the consumer is still alive
    topic = unique_topic("fuzz")
    await produce(infra.kafka_bootstrap, topic, [(b"k", value) for value, _ in messages])

    bus = KafkaBus(infra.kafka_bootstrap, client_id="faults")
    TrackingConsumer(
        ledger.store, bus, topic, "fuzz", {"DepositPosted": partial(post_deposit, ledger)}
    )
    await bus.start()
    try:

        async def sentinel_applied() -> bool:
            return ledger.store.has_processed(
                event_tracking(Envelope.from_bytes(sentinel).event_id)
            )

        await eventually(sentinel_applied, timeout=300)
    finally:
        await bus.stop()

    unapplicable = sum(1 for _, applicable in messages if not applicable)
    letters = await read_topic(
        infra.kafka_bootstrap, dead_letter_topic(topic), until=lambda rs: len(rs) >= unapplicable
    )
    dead_offsets = {int(dict(r.headers)["dlq-offset"]) for r in letters}
    assert len(letters) == unapplicable
    for offset, (value, applicable) in enumerate(messages):
        if applicable:
            tracking = event_tracking(Envelope.from_bytes(value).event_id)
            assert ledger.store.has_processed(tracking), offset
            assert offset not in dead_offsets
        else:
            assert offset in dead_offsets
    balances = [b.balance for b in ledger.views.journal.balances()]
    assert balances and sum(balances) == 0
