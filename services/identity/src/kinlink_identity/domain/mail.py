"""The mail port: how identity reaches an account holder (activation, reset, confirmation)."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


class MailUnavailable(Exception):
    """The mail server could not take the message; the caller may ask again."""


class Mailer(ABC):
    @abstractmethod
    def send(self, email: Email) -> None:
        """Hand the message over for delivery; raises MailUnavailable."""
