"""The commissary's OrderPaid emails the family member the order's receipt (requirements: "You will
be emailed a receipt when the order is processed"): once, however often the event comes; retried
while mail is unavailable; none to an account unsubscribed from our emails; an unknown account
dead-lettered. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from uuid import UUID
from uuid import uuid4

from kinlink_contracts.commissary import OrderItem
from kinlink_contracts.commissary import OrderPaid
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import MailUnavailable
from kinlink_identity.entrypoints.commissary_events import COMMISSARY_EVENT_HANDLERS
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.set_email_subscription import set_email_subscription
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import refused

from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_cards import signed_up
from tests.topic_feed import TopicFeed
from tests.topic_feed import wrapped

PAID_AT = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
ORDER_ID = UUID("5b0e8a4e-3c4f-4f0e-9a57-0c2b8d1f6a11")


def order_paid(account_id: UUID, receipt_number: str = "KL-C-000042") -> OrderPaid:
    return OrderPaid(
        order_id=ORDER_ID,
        account_id=account_id,
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        vendor="Keefe",
        items=[
            OrderItem(sku="COF-1", name="Instant coffee", quantity=2, unit_price_cents=450),
            OrderItem(sku="SOX-3", name="Socks, 3 pairs", quantity=1, unit_price_cents=1299),
        ],
        total_cents=2199,
        receipt_number=receipt_number,
        paid_at=PAID_AT,
    )


def commissary_topic(identity: Identity) -> TopicFeed:
    return TopicFeed(identity, COMMISSARY_EVENTS, COMMISSARY_EVENT_HANDLERS)


def receipts(mailer: RecordingMailer) -> list[Email]:
    return [email for email in mailer.sent if "receipt" in email.subject]


async def test_a_paid_order_emails_its_receipt_once(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    topic = commissary_topic(identity)
    envelope = await topic.publish(order_paid(account.id), "R-1001", "commissary")
    await topic.deliver(envelope, again=True)  # redelivered at the same offset
    await topic.deliver(envelope)  # published again, at another offset
    [receipt] = receipts(mailer)
    assert receipt.to == "pat@example.com"
    assert receipt.subject == "Your Kinlink commissary pack receipt KL-C-000042"
    assert "Hello Pat," in receipt.text
    assert "2 x Instant coffee at $4.50 = $9.00" in receipt.text
    assert "1 x Socks, 3 pairs at $12.99 = $12.99" in receipt.text
    assert "Total charged: $21.99" in receipt.text
    assert "Vendor: Keefe" in receipt.text
    assert f"Order: {ORDER_ID}" in receipt.text
    # In the family member's time zone (America/Chicago, six hours behind UTC in March).
    assert "Paid: 2026-03-02 06:30 CST" in receipt.text
    assert topic.dead_letters() == []


class MailDownFor(RecordingMailer):
    """Mail unavailable for the first `failures` emails handed over."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def send(self, email: Email) -> None:
        if self.failures:
            self.failures -= 1
            raise MailUnavailable("connection refused")
        super().send(email)


async def test_mail_unavailable_is_retried_until_the_receipt_goes(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    identity.mailer = down = MailDownFor(failures=2)
    topic = commissary_topic(identity)
    envelope = wrapped(order_paid(account.id), "R-1001", "commissary")
    for _ in range(2):  # the consumer raises: the broker delivers the same offset again
        with refused(Unavailable, "mail_unavailable", None):
            await topic.deliver(envelope, again=topic.offset > 0)
    assert receipts(down) == []
    await topic.deliver(envelope, again=True)
    await topic.deliver(envelope, again=True)
    assert [r.to for r in receipts(down)] == ["pat@example.com"]
    assert topic.dead_letters() == []


async def test_an_account_unsubscribed_from_our_emails_gets_no_receipt(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    set_email_subscription(identity, str(account.id), subscribed=False)
    topic = commissary_topic(identity)
    await topic.publish(order_paid(account.id), "R-1001", "commissary")
    assert receipts(mailer) == []
    assert topic.dead_letters() == []


async def test_an_order_of_an_account_identity_does_not_know_is_dead_lettered(
    identity: Identity, mailer: RecordingMailer
) -> None:
    topic = commissary_topic(identity)
    await topic.publish(order_paid(uuid4()), "R-1001", "commissary")
    [dead] = topic.dead_letters()
    assert dead["dlq-error-type"] == "CommissaryEventRejected"
    assert "account_not_found" in dead["dlq-error"]
    assert receipts(mailer) == []
