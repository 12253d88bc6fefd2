"""Hypothesis drives sends (repeated keys, images, a wallet short of credit, unreachable, or
charging as the process dies), refills and payment sweeps; whatever the order, a message is
sent exactly when it was paid, each reference is charged at most once, no balance goes
negative, an unsent message keeps no images, and a sweep past the wait leaves nothing awaiting
payment."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import rule
from kinlink_kit.errors import ClientError
from kinlink_kit.testing import Clock
from kinlink_kit.views import SqliteViews
from kinlink_messaging.adapters.messaging_views import MessagingViews
from kinlink_messaging.domain.ids import message_id
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import MessagingStore
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import abandon
from kinlink_messaging.service_layer.send_message import send_message
from kinlink_messaging.service_layer.settle_payments import settle_payments

from tests.memory_wallet import ProcessKilled
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY
from tests.messaging_doubles import MemoryImageStore
from tests.messaging_doubles import MemorySmsPictures
from tests.messaging_doubles import MemoryWallet
from tests.messaging_doubles import accept_any_image
from tests.messaging_doubles import demo_directory

SWEEP_AFTER = timedelta(minutes=15)
KEYS = st.sampled_from([f"key-{n}" for n in range(6)])
# How the wallet answers: as it should, not at all, by charging as the process dies, or by
# charging while a sweep that found no payment yet abandons the message (a stalled request).
WALLET = st.sampled_from(["reachable", "unreachable", "dies_after_charging", "swept_meanwhile"])


class SendingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(datetime(2026, 11, 25, 18, tzinfo=UTC))
        directory = demo_directory()
        self.wallet = MemoryWallet(directory)
        self.images = MemoryImageStore()
        store = MessagingStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.messaging = Messaging(
            store=store,
            views=MessagingViews.open(store, SqliteViews(":memory:")),
            wallet=self.wallet,
            images=self.images,
            directory=directory,
            prepare_image=accept_any_image,
            sms_pictures=MemorySmsPictures(),
            clock=self.clock,
        )
        self.account = uuid4()
        self.funded = 0
        self.sent_keys: set[str] = set()

    @rule(cents=st.sampled_from([50, 100, 250, 1000]))
    def refill(self, cents: int) -> None:
        self.wallet.fund(self.account, cents)
        self.funded += cents

    @rule(
        key=KEYS,
        images=st.integers(0, 3),
        reviewed=st.booleans(),
        wallet=WALLET,
    )
    def send(self, key: str, images: int, reviewed: bool, wallet: str) -> None:
        self.wallet.unreachable = wallet == "unreachable"
        self.wallet.killed_after_charging = wallet == "dies_after_charging"
        if wallet == "swept_meanwhile":
            sent_id = message_id(self.account, key)
            self.wallet.while_charging = lambda: abandon(self.messaging, sent_id)
        facility = REVIEWING_FACILITY if reviewed else FACILITY
        uploads = tuple(f"photo {n}".encode() for n in range(images))
        command = SendMessage(self.account, facility, RESIDENT, key, "Hello", uploads)
        try:
            send_message(self.messaging, command)
        except ClientError as refused:
            assert refused.code in {"insufficient_credit", "wallet_unavailable"}
        except ProcessKilled:
            pass
        finally:
            self.wallet.unreachable = self.wallet.killed_after_charging = False
            self.wallet.while_charging = None
        self.sent_keys.add(key)

    @rule(minutes=st.sampled_from([1, 10, 15, 30]))
    def time_passes(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)

    @rule()
    def sweep(self) -> None:
        settle_payments(self.messaging, SWEEP_AFTER)

    @rule()
    def sweep_after_the_wait(self) -> None:
        self.clock.now += SWEEP_AFTER
        settle_payments(self.messaging, SWEEP_AFTER)
        for message in self._messages():
            assert message.status is not MessageStatus.AWAITING_PAYMENT

    def _messages(self) -> list[Message]:
        found = (
            self.messaging.find(message_id(self.account, key), Message) for key in self.sent_keys
        )
        return [message for message in found if message is not None]

    @invariant()
    def sent_exactly_when_paid(self) -> None:
        for message in self._messages():
            paid = self.wallet.payments.get((self.account, message.reference))
            if message.status is MessageStatus.ABANDONED:
                assert paid is None
                assert not set(message.image_keys()) & set(self.images.objects)
            elif message.status is not MessageStatus.AWAITING_PAYMENT:
                assert paid is not None and message.payment == paid
                assert set(message.image_keys()) <= set(self.images.objects)

    @invariant()
    def money_adds_up(self) -> None:
        balance = self.wallet.balances.get(self.account, 0)
        charged = sum(p.amount_cents for p in self.wallet.charged(self.account))
        assert balance >= 0
        assert balance + charged == self.funded

    def teardown(self) -> None:
        self.messaging.close()


SendingMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestSending = SendingMachine.TestCase
