"""The emails identity sends: each carries a single-use link for one purpose."""

from __future__ import annotations

from dataclasses import dataclass

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
