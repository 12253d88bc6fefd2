"""The card-processor port: what identity learns about a card from its processor token."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class CardDetails:
    brand: str  # visa, mastercard, discover, amex, diners, jcb, unionpay or unknown
    funding: str  # credit, debit, prepaid or unknown
    last4: str
    exp_month: int
    exp_year: int


class UnknownPaymentMethod(Exception):
    """The processor has no card under this token."""


class CardProcessorUnavailable(Exception):
    """The processor could not be reached or gave no answer; asking again is safe."""


class CardLookup(ABC):
    @abstractmethod
    def details(self, payment_method: str) -> CardDetails:
        """The card behind a token; raises UnknownPaymentMethod or CardProcessorUnavailable."""
