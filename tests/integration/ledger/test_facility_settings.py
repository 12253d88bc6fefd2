"""The ledger takes each facility's deposit settings from identity's FacilityConfigured events."""

from __future__ import annotations

from functools import partial

import pytest
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.identity import FacilityConfigured
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.facility_terms import FacilityTerms
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.configure_facility import configure_facility
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.conftest import TokenKeys
from tests.ledger_facilities import D1
from tests.ledger_facilities import book
from tests.ledger_facilities import configure

CHEAPER = DEMO_FACILITIES[FAC_DEMO].model_copy(
    update={
        "weekly_deposit_limit_cents": 10000,
        "deposit_fee_tiers": (FeeTier(up_to_cents=10000, fee_cents=100),),
    }
)
DEARER = DEMO_FACILITIES[FAC_DEMO].model_copy(
    update={"deposit_fee_tiers": (FeeTier(up_to_cents=30000, fee_cents=1500),)}
)


def quote(ledger: Ledger, amount: int = 5000, facility_id: str = FAC_DEMO) -> tuple[int, int]:
    """(fee, weekly limit) of a quote now."""
    issued = quote_deposit(ledger, QuoteDeposit(facility_id, "R-1", D1, Cents(amount)))
    return issued.fee, issued.weekly_limit


def terms_version(ledger: Ledger) -> int:
    terms = ledger.find(FacilityTerms.create_id(FAC_DEMO), FacilityTerms)
    assert terms is not None
    return terms.version


def test_a_new_revision_changes_the_fees_and_the_weekly_limit(ledger: Ledger) -> None:
    assert quote(ledger) == (595, 30000)
    configure(ledger, facility_configured(FAC_DEMO, CHEAPER, revision=2))
    assert quote(ledger) == (100, 10000)
    with pytest.raises(InvalidArgument) as refused:
        quote(ledger, 20000)
    assert refused.value.code == "amount_above_largest_deposit"


def test_an_older_revision_is_ignored(ledger: Ledger) -> None:
    configure(ledger, facility_configured(FAC_DEMO, DEARER, revision=3))
    configure(ledger, facility_configured(FAC_DEMO, CHEAPER, revision=2))
    assert quote(ledger) == (1500, 30000)
    configure(ledger, facility_configured(FAC_DEMO, DEARER, revision=3))
    assert terms_version(ledger) == 2, "revision 1, then 3; neither 2 nor 3 again"


def test_a_facility_identity_never_configured_takes_no_deposits(ledger: Ledger) -> None:
    with pytest.raises(NotFound) as missing:
        quote(ledger, facility_id="FAC-UNKNOWN")
    assert (missing.value.code, missing.value.field) == ("facility_not_found", None)
    settings = FacilitySettings(
        name="Unknown No More",
        time_zone="America/Denver",
        deposit_fee_tiers=(FeeTier(up_to_cents=5000, fee_cents=200),),
    )
    configure(ledger, facility_configured("FAC-UNKNOWN", settings))
    book(ledger, "FAC-UNKNOWN", "R-1")
    assert quote(ledger, facility_id="FAC-UNKNOWN") == (200, 30000)


async def test_a_redelivered_event_is_applied_once(ledger: Ledger) -> None:
    consumer = TrackingConsumer(
        ledger.store,
        InMemoryBus(),
        IDENTITY_EVENTS,
        "test-ledger",
        {FacilityConfigured.event_type: partial(configure_facility, ledger)},
    )
    envelope = facility_configured(FAC_DEMO, CHEAPER, revision=2)
    message = IncomingMessage(IDENTITY_EVENTS, 0, 7, FAC_DEMO, envelope.to_bytes(), {})
    await consumer.on_message(message)
    tracked = ledger.store.tracking.max_notification_id()
    await consumer.on_message(message)
    # Kafka delivered the same offset again: not even its tracking record is written twice.
    assert ledger.store.tracking.max_notification_id() == tracked
    assert terms_version(ledger) == 2
    # The relay published it again after a crash: a later offset, the same revision.
    await consumer.on_message(
        IncomingMessage(IDENTITY_EVENTS, 0, 8, FAC_DEMO, envelope.to_bytes(), {})
    )
    assert terms_version(ledger) == 2
    assert quote(ledger) == (100, 10000)


async def test_the_ledger_service_follows_identity_and_dead_letters_what_it_cannot_read(
    ledger: Ledger, ledger_settings: LedgerSettings, token_keys: TokenKeys
) -> None:
    bus = InMemoryBus()
    broken = facility_configured(FAC_DEMO, CHEAPER, revision=2).model_copy(
        update={"payload": {"facility_id": FAC_DEMO, "revision": 2, "settings": {"name": ""}}}
    )
    async with serving([ledger_service(ledger_settings, bus, ledger)], bus, token_keys.verifier()):
        await bus.publish(
            [
                OutgoingMessage(IDENTITY_EVENTS, FAC_DEMO, broken.to_bytes()),
                OutgoingMessage(
                    IDENTITY_EVENTS,
                    FAC_DEMO,
                    facility_configured(FAC_DEMO, CHEAPER, revision=2).to_bytes(),
                ),
            ]
        )

        async def configured() -> bool:
            return terms_version(ledger) == 2

        await eventually(configured, timeout=10)
        assert quote(ledger) == (100, 10000)
    (dead,) = bus.topics[dead_letter_topic(IDENTITY_EVENTS)]
    assert Envelope.from_bytes(dead.value) == broken
    assert dead.headers["dlq-error-type"] == "ValidationError"
