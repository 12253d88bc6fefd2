"""Mail through an SMTP server (production)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import Mailer
from kinlink_identity.domain.mail import MailUnavailable


def email_message(email: Email, sender: str, transfer_encoding: str | None = None) -> EmailMessage:
    """The message in MIME form; the transfer encoding is the library's choice unless named."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message.set_content(email.text, cte=transfer_encoding)
    return message


class SmtpMailer(Mailer):
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout: float = 10,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, email: Email) -> None:
        # One connection per message: emails are rare (sign-ups, resets) and a long-lived
        # connection would be dropped by the server between them anyway.
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email_message(email, self.sender))
        except OSError as error:  # refused connections, timeouts and every SMTPException
            raise MailUnavailable(f"SMTP {self.host}:{self.port}: {error}") from error
