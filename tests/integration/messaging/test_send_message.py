"""Sending: charged once per client key before it is accepted, nothing sent nor charged when
the wallet refuses or cannot be reached, and the payment sweep settling what was left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_messaging.domain.ids import message_id
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.service_layer.block_resident import block_resident
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import abandon
from kinlink_messaging.service_layer.send_message import send_message
from kinlink_messaging.service_layer.settle_payments import Settled
from kinlink_messaging.service_layer.settle_payments import settle_payments
from prometheus_client import REGISTRY

from tests.integration.messaging.conftest import Outside
from tests.memory_wallet import ProcessKilled
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

SWEEP_AFTER = timedelta(minutes=15)
PHOTOS = (b"first photo", b"second photo")


def settled(outcome: str) -> float:
    return REGISTRY.get_sample_value("kinlink_messages_settled_total", {"outcome": outcome}) or 0.0


def sending(
    account_id: UUID,
    key: str = "send-1",
    body: str = "Hello from home",
    images: tuple[bytes, ...] = (),
    facility_id: str = FACILITY,
) -> SendMessage:
    return SendMessage(account_id, facility_id, RESIDENT, key, body, images)


def test_a_message_is_paid_then_delivered_at_once_where_the_facility_does_not_review(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    message = send_message(messaging, sending(family, images=PHOTOS))

    assert message.status is MessageStatus.DELIVERED
    # 1 message at 50 cents and 2 images at 100.
    assert message.payment == Payment(f"message:{message.id}", 250, 750)
    assert outside.wallet.balances[family] == 750
    assert [image.key for image in message.images] == [
        f"messages/{message.id}/0.jpg",
        f"messages/{message.id}/1.jpg",
    ]
    assert outside.images.objects[message.images[1].key] == PHOTOS[1]
    assert message.images[1].thumbnail_key in outside.images.objects
    stored = messaging.message_of(family, message.id)
    assert (stored.status, stored.body) == (MessageStatus.DELIVERED, "Hello from home")


def test_a_reviewing_facility_holds_it_pending_review(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    message = send_message(messaging, sending(family, facility_id=REVIEWING_FACILITY))
    assert message.status is MessageStatus.PENDING_REVIEW
    assert outside.wallet.balances[family] == 950


def test_a_send_repeated_with_its_client_key_is_one_message_charged_once(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    first = send_message(messaging, sending(family, images=PHOTOS[:1]))
    again = send_message(messaging, sending(family, body="Hello again", images=PHOTOS[:1]))
    other = send_message(messaging, sending(family, key="send-2"))

    assert again.id == first.id and again.body == "Hello from home"
    assert other.id != first.id
    assert [p.amount_cents for p in outside.wallet.charged(family)] == [150, 50]
    assert outside.wallet.balances[family] == 800


def test_without_credit_nothing_is_sent_nor_charged_and_its_images_are_deleted(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    outside.wallet.balances[family] = 200  # short of 250
    with refused(FailedPrecondition, "insufficient_credit"):
        send_message(messaging, sending(family, images=PHOTOS))

    assert outside.wallet.balances[family] == 200
    assert outside.wallet.charged(family) == []
    assert outside.images.objects == {}
    assert messaging.views.messages.awaiting_payment(clock.now + timedelta(days=1)) == []

    # Refilled, the same send goes through, charged once.
    outside.wallet.fund(family, 100)
    message = send_message(messaging, sending(family, images=PHOTOS))
    assert message.status is MessageStatus.DELIVERED
    assert outside.wallet.balances[family] == 50
    assert len(outside.images.objects) == 4


def test_with_the_ledger_unreachable_nothing_is_sent_nor_charged_then_the_sweep_abandons_it(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    outside.wallet.unreachable = True
    with refused(Unavailable, "wallet_unavailable"):
        send_message(messaging, sending(family, images=PHOTOS))
    outside.wallet.unreachable = False

    [waiting] = messaging.views.messages.awaiting_payment(clock.now + timedelta(seconds=1))
    assert messaging.message_of(family, waiting).status is MessageStatus.AWAITING_PAYMENT
    # Too young: left to the request still sending it.
    clock.now += SWEEP_AFTER - timedelta(seconds=1)
    assert settle_payments(messaging, SWEEP_AFTER) == Settled()

    assert REGISTRY.get_sample_value("kinlink_messages_awaiting_payment") == 1
    abandoned_before = settled("abandoned")
    clock.now += timedelta(seconds=1)
    assert settle_payments(messaging, SWEEP_AFTER) == Settled(abandoned=1)
    assert settled("abandoned") == abandoned_before + 1
    assert messaging.message_of(family, waiting).status is MessageStatus.ABANDONED
    assert outside.wallet.balances[family] == 1000
    assert outside.images.objects == {}
    assert settle_payments(messaging, SWEEP_AFTER) == Settled()
    assert REGISTRY.get_sample_value("kinlink_messages_awaiting_payment") == 0


def test_the_sweep_submits_a_message_whose_charge_happened_before_the_process_died(
    reopen: Callable[[], Messaging], outside: Outside, family: UUID, clock: Clock
) -> None:
    outside.wallet.killed_after_charging = True
    with pytest.raises(ProcessKilled):
        send_message(reopen(), sending(family, facility_id=REVIEWING_FACILITY))
    outside.wallet.killed_after_charging = False

    restarted = reopen()
    clock.now += SWEEP_AFTER
    assert settle_payments(restarted, SWEEP_AFTER) == Settled(submitted=1)
    [payment] = outside.wallet.charged(family)
    message = restarted.message_of(family, UUID(payment.reference.removeprefix("message:")))
    assert (message.status, message.payment) == (MessageStatus.PENDING_REVIEW, payment)
    assert outside.wallet.balances[family] == 950


def test_a_message_the_sweep_abandoned_while_it_was_being_charged_is_sent_whole(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    sent_id = message_id(family, "send-1")
    # The request stalled past the sweep's wait; the sweep found no payment yet.
    outside.wallet.while_charging = lambda: abandon(messaging, sent_id)
    message = send_message(messaging, sending(family, images=PHOTOS))

    assert (message.id, message.status) == (sent_id, MessageStatus.DELIVERED)
    assert [p.amount_cents for p in outside.wallet.charged(family)] == [250]
    assert sorted(outside.images.objects) == sorted(message.image_keys())


def test_the_sweep_leaves_the_message_waiting_while_the_wallet_cannot_be_reached(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    outside.wallet.unreachable = True
    with refused(Unavailable, "wallet_unavailable"):
        send_message(messaging, sending(family))
    clock.now += SWEEP_AFTER
    assert settle_payments(messaging, SWEEP_AFTER) == Settled()
    outside.wallet.unreachable = False
    assert settle_payments(messaging, SWEEP_AFTER) == Settled(abandoned=1)


@pytest.mark.parametrize(
    ("change", "kind", "code"),
    [
        (
            lambda o: o.directory.book(FACILITY, RESIDENT, released=True),
            FailedPrecondition,
            "resident_released",
        ),
        (
            lambda o: o.directory.facilities.update(
                {
                    FACILITY: o.directory.facilities[FACILITY].model_copy(
                        update={"messaging_switched_off": True}
                    )
                }
            ),
            FailedPrecondition,
            "messaging_switched_off",
        ),
        (lambda o: o.directory.residents.clear(), NotFound, "resident_not_found"),
    ],
)
def test_who_cannot_be_messaged_is_refused_with_its_own_code(
    messaging: Messaging,
    outside: Outside,
    family: UUID,
    change: Callable[[Outside], object],
    kind: type[ClientError],
    code: str,
) -> None:
    change(outside)
    with refused(kind, code):
        send_message(messaging, sending(family))
    assert outside.wallet.charged(family) == []


def test_a_blocked_resident_cannot_be_messaged(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    block_resident(messaging, family, FACILITY, RESIDENT)
    with refused(FailedPrecondition, "resident_blocked"):
        send_message(messaging, sending(family))
    assert outside.wallet.charged(family) == []


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (lambda a: sending(a, key=" "), "client_key_missing"),
        (lambda a: sending(a, body=""), "body_missing"),
        (lambda a: sending(a, body="x" * 6001), "body_too_long"),
        (lambda a: sending(a, images=(b"1", b"2", b"3", b"4")), "too_many_images"),
    ],
)
def test_what_cannot_be_sent_is_refused_before_anything_is_stored_or_charged(
    messaging: Messaging,
    outside: Outside,
    family: UUID,
    command: Callable[[UUID], SendMessage],
    code: str,
) -> None:
    with refused(InvalidArgument, code):
        send_message(messaging, command(family))
    assert outside.wallet.charged(family) == []
    assert outside.images.objects == {}


def test_a_facility_allowing_more_images_than_kinlink_is_held_to_kinlinks_limit(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    settings = outside.directory.facilities[FACILITY]
    generous = settings.image_rules.model_copy(update={"max_per_message": 10})
    outside.directory.facilities[FACILITY] = settings.model_copy(update={"image_rules": generous})
    with refused(InvalidArgument, "too_many_images"):
        send_message(messaging, sending(family, images=tuple(b"p" for _ in range(6))))
    assert send_message(messaging, sending(family, images=tuple(b"p" for _ in range(5))))


def test_someone_elses_message_is_not_found(messaging: Messaging, family: UUID) -> None:
    message = send_message(messaging, sending(family))
    with refused(NotFound, "message_not_found"):
        messaging.message_of(uuid4(), message.id)


def test_a_message_the_sweep_cannot_settle_does_not_keep_it_from_the_others(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    outside.wallet.killed_after_charging = True
    with pytest.raises(ProcessKilled):
        send_message(messaging, sending(family, facility_id=REVIEWING_FACILITY))
    outside.wallet.killed_after_charging = False
    outside.wallet.unreachable = True
    with refused(Unavailable, "wallet_unavailable"):
        send_message(messaging, sending(family, key="send-2"))
    outside.wallet.unreachable = False
    reviewing = outside.directory.facilities.pop(REVIEWING_FACILITY)
    clock.now += SWEEP_AFTER

    assert settle_payments(messaging, SWEEP_AFTER) == Settled(abandoned=1)
    outside.directory.facilities[REVIEWING_FACILITY] = reviewing
    assert settle_payments(messaging, SWEEP_AFTER) == Settled(submitted=1)
