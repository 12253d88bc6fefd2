"""The ledger disabling the messaging subscription (MessagingSubscriptionDisabled) releases the card
that funded it, which the family may then edit or remove (requirements "Edit Payment Method"); a
card chosen since, even the same card chosen again, keeps its mark. On SQLite and on the real
PostgreSQL."""

from __future__ import annotations

from functools import partial
from uuid import UUID
from uuid import uuid4

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_contracts.ledger import MessagingSubscriptionDisabled
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_identity.adapters.integration_events import IdentityEventTranslator
from kinlink_identity.domain.account import Account
from kinlink_identity.entrypoints.ledger_events import LEDGER_EVENT_HANDLERS
from kinlink_identity.service_layer.cards import EditCard
from kinlink_identity.service_layer.cards import edit_card
from kinlink_identity.service_layer.cards import remove_card
from kinlink_identity.service_layer.identity import Identity
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import refused

from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_cards import OFFICE
from tests.integration.identity.test_cards import add
from tests.integration.identity.test_cards import listed
from tests.integration.identity.test_cards import signed_up


class LedgerTopic:
    """Identity's consumer of the ledger's topic, fed by hand: offsets 1, 2, ... of partition 0."""

    def __init__(self, identity: Identity) -> None:
        self.bus = InMemoryBus()
        self.consumer = TrackingConsumer(
            identity.store,
            self.bus,
            LEDGER_EVENTS,
            "test-identity",
            {t: partial(handle, identity) for t, handle in LEDGER_EVENT_HANDLERS.items()},
            retry_seconds=0,
        )
        self.offset = 0

    async def disabled(
        self, account_id: UUID, card_id: UUID, choice: int | None, *, again: bool = False
    ) -> None:
        """The ledger disabled the subscription funded by identity's `choice` of the card;
        `again`: Kafka redelivers the previous offset."""
        event = MessagingSubscriptionDisabled(
            account_id=account_id, card_id=card_id, card_choice=choice
        )
        envelope = Envelope.wrap(event, key=str(account_id), producer="ledger", correlation_id="")
        self.offset += 0 if again else 1
        await self.consumer.on_message(
            IncomingMessage(LEDGER_EVENTS, 0, self.offset, str(account_id), envelope.to_bytes())
        )

    def dead_letters(self) -> list[str]:
        return [m.headers["dlq-error"] for m in self.bus.topics[dead_letter_topic(LEDGER_EVENTS)]]


def mark(identity: Identity, account: Account, card_id: UUID) -> None:
    edit_card(identity, EditCard(str(account.id), str(card_id), fund_messaging_subscription=True))


def chosen(identity: Identity) -> list[tuple[UUID, int | None]]:
    """The cards identity published as chosen, with the number of each choice."""
    translate = IdentityEventTranslator(identity.store)
    messages = [translate(n) for n in identity.store.tracking.select_notifications(1, 1000)]
    envelopes = [Envelope.from_bytes(m.value) for m in messages if m is not None]
    return [
        (event.card_id, event.choice)
        for envelope in envelopes
        if envelope.type == MessagingSubscriptionCardChosen.event_type
        for event in [MessagingSubscriptionCardChosen.model_validate(envelope.payload)]
    ]


async def test_a_disabled_subscription_frees_its_card_to_be_edited_and_removed(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    card = add(identity, account, "pm_card_visa", fund_messaging_subscription=True).card
    assert chosen(identity) == [(card.id, 1)]
    ledger = LedgerTopic(identity)
    await ledger.disabled(account.id, card.id, 1)
    await ledger.disabled(account.id, card.id, 1, again=True)  # redelivered: no change
    assert listed(identity, account) == [("pm_card_visa", False)]
    assert identity.account(account.id).version == account.version + 2  # chosen, released
    edit_card(identity, EditCard(str(account.id), str(card.id), billing_address=OFFICE))
    remove_card(identity, str(account.id), str(card.id))
    assert listed(identity, account) == []
    assert ledger.dead_letters() == []


async def test_a_card_chosen_after_the_one_the_ledger_released_keeps_its_mark(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    visa = add(identity, account, "pm_card_visa", fund_messaging_subscription=True).card
    discover = add(identity, account, "pm_card_discover", fund_messaging_subscription=True).card
    ledger = LedgerTopic(identity)
    # The ledger disabled the subscription before it heard of the second choice.
    await ledger.disabled(account.id, visa.id, 1)
    assert listed(identity, account) == [("pm_card_visa", False), ("pm_card_discover", True)]
    # The first card chosen again is a newer choice than the one the ledger released.
    mark(identity, account, visa.id)
    await ledger.disabled(account.id, discover.id, 2)
    await ledger.disabled(account.id, visa.id, 1)
    assert chosen(identity) == [(visa.id, 1), (discover.id, 2), (visa.id, 3)]
    assert listed(identity, account) == [("pm_card_visa", True), ("pm_card_discover", False)]
    with refused(FailedPrecondition, "card_funds_messaging_subscription", None):
        remove_card(identity, str(account.id), str(visa.id))
    # Its own disable releases it; then choosing it once more is a choice again.
    await ledger.disabled(account.id, visa.id, 3)
    assert listed(identity, account) == [("pm_card_visa", False), ("pm_card_discover", False)]
    mark(identity, account, visa.id)
    assert chosen(identity)[-1] == (visa.id, 4)


async def test_a_choice_published_without_a_number_is_released_by_its_card(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    visa = add(identity, account, "pm_card_visa", fund_messaging_subscription=True).card
    discover = add(identity, account, "pm_card_discover").card
    ledger = LedgerTopic(identity)
    await ledger.disabled(account.id, discover.id, None)
    assert listed(identity, account) == [("pm_card_visa", True), ("pm_card_discover", False)]
    await ledger.disabled(account.id, visa.id, None)
    assert listed(identity, account) == [("pm_card_visa", False), ("pm_card_discover", False)]


async def test_a_disable_for_an_account_identity_does_not_know_is_dead_lettered(
    identity: Identity,
) -> None:
    ledger = LedgerTopic(identity)
    await ledger.disabled(uuid4(), uuid4(), 1)
    [error] = ledger.dead_letters()
    assert "LedgerEventRejected" in error and "account_not_found" in error
