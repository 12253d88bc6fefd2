"""The emails identity sends: each carries a single-use link for one purpose, but the receipt of a
commissary pack order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.one_time_token import TokenPurpose


@dataclass(frozen=True)
class _Text:
    subject: str
    path: str
    body: str


_TEXTS = {
    TokenPurpose.ACTIVATION: _Text(
        "Activate your Kinlink account",
        "activate",
        "Welcome to Kinlink. Follow this link to activate your account:",
    ),
    TokenPurpose.PASSWORD_RESET: _Text(
        "Reset your Kinlink password",
        "reset-password",
        "Someone asked to reset the password of your Kinlink account. If it was you, follow "
        "this link to choose a new one:",
    ),
    TokenPurpose.EMAIL_CHANGE: _Text(
        "Confirm your new email address for Kinlink",
        "confirm-email",
        "Follow this link to make this address the email of your Kinlink account:",
    ),
    TokenPurpose.REACTIVATION: _Text(
        "Reactivate your Kinlink account",
        "reactivate",
        "Follow this link to reactivate your closed Kinlink account:",
    ),
}

_FOOTER = (
    "If you did not ask for this, ignore this email: nothing changes without the link.\n\n"
    "You receive this email because of your Kinlink account. To stop receiving our emails, "
    "unsubscribe under My Account. Note that an unsubscribed account cannot reset its password "
    "or be reactivated until it subscribes again."
)


def link_email(
    purpose: TokenPurpose, to: str, first_name: str, public_url: str, token: str
) -> Email:
    text = _TEXTS[purpose]
    link = f"{public_url.rstrip('/')}/{text.path}?token={token}"
    greeting = f"Hello {first_name}," if first_name else "Hello,"
    return Email(
        to=to,
        subject=text.subject,
        text=f"{greeting}\n\n{text.body}\n\n{link}\n\n{_FOOTER}\n",
    )


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class PaidOrder:
    """What the commissary says of an order it charged: the family member's receipt."""

    order_id: str
    receipt_number: str
    vendor: str
    lines: tuple[ReceiptLine, ...]
    total_cents: int
    paid_at: datetime


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def receipt_email(to: str, first_name: str, time_zone: str, order: PaidOrder) -> Email:
    """The receipt of a commissary pack order charged after it was placed (requirements: "You will
    be emailed a receipt when the order is processed"); the time in the family member's zone."""
    greeting = f"Hello {first_name}," if first_name else "Hello,"
    paid_at = order.paid_at.astimezone(ZoneInfo(time_zone))
    lines = "\n".join(
        f"  {line.quantity} x {line.name} at {_dollars(line.unit_price_cents)}"
        f" = {_dollars(line.quantity * line.unit_price_cents)}"
        for line in order.lines
    )
    return Email(
        to=to,
        subject=f"Your Kinlink commissary pack receipt {order.receipt_number}",
        text=(
            f"{greeting}\n\nYour commissary pack order was processed and paid.\n\n"
            f"Receipt number: {order.receipt_number}\n"
            f"Order: {order.order_id}\n"
            f"Vendor: {order.vendor}\n"
            f"Paid: {paid_at:%Y-%m-%d %H:%M %Z}\n\n"
            f"{lines}\n\nTotal charged: {_dollars(order.total_cents)}\n\n"
            "All sales are final. The vendor usually delivers within a week; if the pack has not "
            "arrived by then, use Contact Us.\n\n"
            "You receive this email because of your Kinlink account. To stop receiving our "
            "emails, unsubscribe under My Account.\n"
        ),
    )
