"""Refunds follow recorded rejections: the job refunds each rejection once where the facility
refunds, none elsewhere nor for approvals, goes on after the ledger was unreachable, and a
batch handled again (a process stopped before recording its position) takes nothing twice."""

from __future__ import annotations

import contextlib
from uuid import UUID

from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.leadership import Leadership
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import WalletUnavailable
from kinlink_messaging.entrypoints.rejection_refunds import RejectionRefunds
from kinlink_messaging.service_layer.approve_message import approve_message
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.reject_message import RejectMessage
from kinlink_messaging.service_layer.reject_message import reject_message

from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY
from tests.messaging_doubles import facility_settings

OFFICER = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({REVIEWING_FACILITY}))


async def caught_up(refunds: RejectionRefunds) -> None:
    """Follows the log to its end, as the job does, batch by batch."""
    end = refunds.app.tracking.max_notification_id() or 0
    position = refunds.position()
    while position < end:
        position = await refunds.follow_once(position)


def refunding(outside: Outside, refunds: bool = True) -> None:
    outside.directory.facilities[REVIEWING_FACILITY] = facility_settings(
        review_policy=ReviewPolicy.REVIEW_ALL, refund_rejected_messages=refunds
    )


def reject(messaging: Messaging, message_id: UUID) -> None:
    reject_message(messaging, OFFICER, RejectMessage(message_id, "Not allowed."))


async def test_each_recorded_rejection_is_refunded_once_where_the_facility_refunds(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    refunding(outside)
    rejected = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="r")
    approved = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="a")
    unreviewed = sent_message(messaging, family, FACILITY, RESIDENT, client_key="u")
    reject(messaging, rejected.id)
    approve_message(messaging, OFFICER, approved.id)
    asked: list[str] = []
    refund = outside.wallet.refund

    def counting(account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        asked.append(payment.reference)
        refund(account_id, facility_id, payment, reason)

    outside.wallet.refund = counting  # type: ignore[method-assign]
    balance = outside.wallet.balances[family]

    await caught_up(RejectionRefunds(messaging, Leadership(None, "refunds")))
    assert asked == [rejected.reference]
    assert outside.wallet.balances[family] == balance + 50
    assert unreviewed.reference not in outside.wallet.refunded

    # Started again from nothing (its position lost): the wallet is asked again, pays nothing.
    again = RejectionRefunds(messaging, Leadership(None, "refunds"))
    with messaging.views.store.transaction() as cursor:
        cursor.execute("DELETE FROM view_positions WHERE name = :name", {"name": again.name})
    await caught_up(again)
    assert asked == [rejected.reference] * 2
    assert outside.wallet.refunded == [rejected.reference]
    assert outside.wallet.balances[family] == balance + 50


async def test_nothing_is_refunded_where_the_facility_does_not_refund(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    refunding(outside, refunds=False)
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    reject(messaging, message.id)
    balance = outside.wallet.balances[family]
    await caught_up(RejectionRefunds(messaging, Leadership(None, "refunds")))
    assert (outside.wallet.refunded, outside.wallet.balances[family]) == ([], balance)


async def test_a_rejection_is_refunded_once_the_ledger_answers_again(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    refunding(outside)
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    reject(messaging, message.id)
    refund = outside.wallet.refund

    def unreachable(account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        raise WalletUnavailable()

    refunds = RejectionRefunds(messaging, Leadership(None, "refunds"))
    outside.wallet.refund = unreachable  # type: ignore[method-assign]
    position = refunds.position()
    with contextlib.suppress(WalletUnavailable):
        await refunds.follow_once(position)
    assert refunds.position() == position, "the batch is tried again from where it was"
    outside.wallet.refund = refund  # type: ignore[method-assign]
    await caught_up(refunds)
    assert outside.wallet.refunded == [message.reference]
