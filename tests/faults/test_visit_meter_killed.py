"""The meter killed (SIGKILL, in a process of its own) after the ledger charged a minute and
before the visit recorded it, on the real PostgreSQL with the real ledger served over gRPC and
the events relayed to the real Kafka. Restarted, the meter records the minute the ledger took
without charging it again; the visit goes on and is ended by an officer: every minute is
charged exactly once, the minute the officer cut short given back once, the journal balances,
and each minute's CallMinuteCharged reaches the topic once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from aiokafka.structs import ConsumerRecord
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import VISITATION_EVENTS
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing.fixtures import new_database
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_visitation.adapters.integration_events import VisitationEventTranslator
from kinlink_visitation.adapters.ledger_wallet import LedgerWallet
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.wallet import minute_reference
from kinlink_visitation.service_layer.end_visit import EndVisit
from kinlink_visitation.service_layer.end_visit import end_visit_as
from kinlink_visitation.service_layer.meter import meter_visits
from kinlink_visitation.service_layer.visitation import Visitation

from tests import ledger_served
from tests.conftest import ROOT
from tests.conftest import TokenKeys
from tests.integration.messaging.test_ledger_wallet import balance
from tests.integration.messaging.test_ledger_wallet import subscribed
from tests.integration.visitation.money.test_visit_money import officer
from tests.ledger_served import serving_ledger
from tests.service_accounts import SERVICE_EMAIL
from tests.service_accounts import service_account
from tests.streams.kafka_helpers import read_topic
from tests.streams.kafka_helpers import relay_once
from tests.visitation_money import SECOND
from tests.visitation_money import STARTS_AT
from tests.visitation_money import ClosingRooms
from tests.visitation_money import booked
from tests.visitation_money import connected

# The served ledger's fixtures, found by pytest under these names.
ledger_settings = ledger_served.ledger_settings
ledger = ledger_served.ledger
identity_address = ledger_served.identity_address


def opened(settings: VisitationSettings, identity: str, clock: Clock) -> Visitation:
    wallet = LedgerWallet(settings.ledger_target, service_account(identity))
    visitation = build_visitation(settings, wallet=wallet, rooms=ClosingRooms())
    visitation.clock = clock
    return visitation


def killed_after_charging(settings: VisitationSettings, now: datetime) -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.faults.visit_meter_killed",
            settings.model_dump_json(),
            now.isoformat(),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert process.returncode == -9, process.stderr.decode()[-3000:]


async def relayed(infra: Infra, visitation: Visitation, visit: Visit) -> list[Envelope]:
    await relay_once(
        infra.kafka_bootstrap,
        visitation.store,
        VisitationEventTranslator(visitation.store),
        "test-visitation-outbox",
    )

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return str(visit.visit_id).encode() in record.value

    records = await read_topic(
        infra.kafka_bootstrap,
        VISITATION_EVENTS,
        until=lambda rs: any(ours(r) and b'"CallEnded"' in r.value for r in rs),
    )
    return [Envelope.from_bytes(r.value) for r in records if ours(r)]


async def test_a_meter_killed_after_the_ledger_charged_charges_each_minute_once(
    ledger: Ledger,
    ledger_settings: LedgerSettings,
    identity_address: str,
    token_keys: TokenKeys,
    infra: Infra,
    tmp_path: Path,
) -> None:
    account = subscribed(ledger)  # $10.00; FAC-DEMO: a video minute 25 cents
    clock = Clock(STARTS_AT)
    async with serving_ledger(ledger_settings, token_keys) as address:
        with new_database(infra) as database:
            settings = VisitationSettings(
                postgres_dsn=infra.postgres_url(database),
                kafka_bootstrap=None,
                ledger_target=address,
                identity_target=identity_address,
                service_account_email=SERVICE_EMAIL,
            )
            visitation = opened(settings, identity_address, clock)
            visit = connected(booked(account, facility_id=FAC_DEMO), STARTS_AT)
            visitation.store.save(visit)
            clock.now = STARTS_AT + 61 * SECOND
            await asyncio.to_thread(meter_visits, visitation)  # minutes 1 and 2
            visitation.close()

            clock.now = STARTS_AT + 125 * SECOND  # minute 3 begun
            await asyncio.to_thread(killed_after_charging, settings, clock.now)
            third = minute_reference(visit.visit_id, 3)
            assert ledger.find(WalletCharge.create_id(account, third), WalletCharge) is not None
            restarted = opened(settings, identity_address, clock)
            assert restarted.find(visit.id, Visit).minutes_charged == 2  # type: ignore[union-attr]
            assert balance(ledger, account) == 1000 - 75

            await asyncio.to_thread(meter_visits, restarted)  # records minute 3, charges nothing
            assert balance(ledger, account) == 1000 - 75
            clock.now = STARTS_AT + 190 * SECOND
            await asyncio.to_thread(meter_visits, restarted)  # minute 4
            ending = EndVisit(visit.visit_id, "Facility count")
            ended = await asyncio.to_thread(end_visit_as, restarted, ending, officer(FAC_DEMO))
            envelopes = await relayed(infra, restarted, ended)
            restarted.close()

    # 190 s connected: minutes 1 to 3 paid; minute 4, cut short by the officer, given back.
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (4, 100, 25)
    assert balance(ledger, account) == 1000 - 75
    for minute in range(1, 5):
        charge = ledger.find(
            WalletCharge.create_id(account, minute_reference(visit.visit_id, minute)), WalletCharge
        )
        assert charge is not None and charge.amount == 25
        assert (charge.refund is not None) is (minute == 4)
    revenue = journal.service_revenue(FAC_DEMO, "video_minute")
    assert ledger.views.journal.balance(revenue) == -75
    assert sum(b.balance for b in ledger.views.journal.balances()) == 0
    charged = [e.payload["minute"] for e in envelopes if e.type == "CallMinuteCharged"]
    assert charged == [1, 2, 3, 4]
    assert [e.type for e in envelopes].count("CallCredited") == 1
    assert [e.type for e in envelopes].count("CallEnded") == 1
