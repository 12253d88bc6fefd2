"""Concurrent confirmations by one unverified depositor, through two ledgers (as two replicas
would be) on one PostgreSQL database: together they cannot pass the facility's 30-day
ID-verification threshold, which each alone stays under."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.ledger_facilities import D1
from tests.ledger_facilities import add_cards
from tests.ledger_facilities import book
from tests.ledger_facilities import configure

FACILITY = "FAC-IDV"
CONFIRMATIONS = 8  # of $60.00 each, to eight residents; $100.00 in 30 days needs verification


def test_concurrent_confirmations_cannot_pass_the_threshold_unverified(
    infra: Infra, fresh_database: str, clock: Clock
) -> None:
    settings = LedgerSettings(
        postgres_dsn=infra.postgres_dsn, database=fresh_database, kafka_bootstrap=None
    )
    payments = SimulatedProcessor()
    ledgers = [build_ledger(settings, payments) for _ in range(2)]
    try:
        for ledger in ledgers:
            ledger.clock = clock
        rules = DEMO_FACILITIES[FAC_DEMO].model_copy(
            update={
                "id_verification": IdVerificationPolicy.BEFORE_DEPOSIT,
                "id_verification_threshold_cents": 10000,
            }
        )
        configure(ledgers[0], facility_configured(FACILITY, rules))
        residents = [f"R-{i}" for i in range(CONFIRMATIONS)]
        book(ledgers[0], FACILITY, *residents)
        add_cards(ledgers[0], D1, "pm_card_visa")
        # Each quote alone is under the threshold; different residents, so no week is shared.
        quotes = [
            quote_deposit(ledgers[0], QuoteDeposit(FACILITY, resident, D1, Cents(6000)))
            for resident in residents
        ]
        start = threading.Barrier(CONFIRMATIONS)

        def confirm(i: int) -> str:
            key = str(quotes[i].id)
            start.wait()
            try:
                made = confirm_deposit(ledgers[i % 2], ConfirmDeposit(key, D1, "pm_card_visa", key))
            except FailedPrecondition as refusal:
                return refusal.code
            return made.status.value

        with ThreadPoolExecutor(CONFIRMATIONS) as pool:
            outcomes = sorted(pool.map(confirm, range(CONFIRMATIONS)))
        assert outcomes == ["captured"] + ["id_verification_required"] * (CONFIRMATIONS - 1)
        assert payments.captured_total == 6000 + 595
    finally:
        for ledger in ledgers:
            ledger.close()
