"""Mail as .eml files in a folder (the embedded mode's `var/mail/`): nothing leaves the machine,
and a developer opens the activation link from the file."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path

from kinlink_identity.adapters.smtp_mailer import email_message
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import Mailer


class MailFolder(Mailer):
    def __init__(self, folder: Path, *, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, email: Email) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # The time first, so the files sort in the order they were sent; the suffix keeps
        # messages of the same microsecond apart.
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        path = self.folder / name
        partial = path.with_suffix(".part")
        # 8bit keeps the text as written (no quoted-printable line breaks inside links), so
        # the file reads as plain text too.
        partial.write_bytes(email_message(email, self.sender, "8bit").as_bytes())
        # Renamed into place whole, so a reader never sees half a message.
        partial.replace(path)
