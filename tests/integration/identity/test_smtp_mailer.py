"""The SMTP adapter against a real SMTP server started here (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from aiosmtpd.smtp import LoginPassword
from kinlink_identity.adapters.smtp_mailer import SmtpMailer
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import MailUnavailable
from kinlink_kit.testing import free_port

SENDER = "Kinlink <no-reply@kinlink.example>"
EMAIL = Email(
    to="ada@example.com",
    subject="Activate your Kinlink account",
    text="Follow https://kinlink.example/activate?token=abc_DEF-123\n",
)


class Inbox:
    """An SMTP handler keeping what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _only_mailer(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"kinlink", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def guarded_inbox() -> Iterator[tuple[Inbox, int]]:
    """A server that takes mail only from a signed-in client."""
    handler = Inbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_only_mailer,
        auth_required=True,
        # Plain-text AUTH is fine on the loopback of a test.
        auth_require_tls=False,
    )
    controller.start()
    yield handler, port
    controller.stop()


def _mailer(port: int, username: str | None = None, password: str | None = None) -> SmtpMailer:
    return SmtpMailer(
        "127.0.0.1", port, sender=SENDER, username=username, password=password, starttls=False
    )


def test_the_message_arrives_with_subject_recipient_and_link(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    _mailer(port).send(EMAIL)

    [(recipients, message)] = handler.received
    assert recipients == ["ada@example.com"]
    assert message["To"] == "ada@example.com"
    assert message["From"] == SENDER
    assert message["Subject"] == "Activate your Kinlink account"
    assert "https://kinlink.example/activate?token=abc_DEF-123" in message.get_content()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_it_signs_in_when_given_credentials(guarded_inbox: tuple[Inbox, int]) -> None:
    handler, port = guarded_inbox
    _mailer(port, "kinlink", "s3cret").send(EMAIL)
    assert len(handler.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_refused_credentials_make_mail_unavailable(guarded_inbox: tuple[Inbox, int]) -> None:
    handler, port = guarded_inbox
    with pytest.raises(MailUnavailable):
        _mailer(port, "kinlink", "wrong").send(EMAIL)
    with pytest.raises(MailUnavailable):
        _mailer(port).send(EMAIL)  # not signed in at all
    assert handler.received == []


def test_mail_is_unavailable_when_nothing_listens() -> None:
    with pytest.raises(MailUnavailable, match=r"SMTP 127\.0\.0\.1"):
        _mailer(free_port()).send(EMAIL)
