"""Stand-ins for messaging's ports (the wallet, the image store, the directory) that keep what
they were asked in memory, so tests can check what was charged, refunded and stored."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import FacilityNotFound
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import ResidentNotFound
from kinlink_messaging.domain.ports import ResidentRecord

PRICE_CENTS = 50


@dataclass
class WalletDouble:
    """Charges 50 cents an item once per reference; refunds a payment once."""

    balance_cents: int = 10_000
    payments: dict[str, Payment] = field(default_factory=dict)
    refunds: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        with self._lock:
            if reference in self.payments:
                return self.payments[reference]
            amount = PRICE_CENTS * sum(item.quantity for item in items)
            if amount > self.balance_cents:
                raise InsufficientCredit()
            self.balance_cents -= amount
            self.payments[reference] = Payment(reference, amount, self.balance_cents)
            return self.payments[reference]

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        return self.payments.get(reference)

    def refund(self, account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        with self._lock:
            if not self.refunds[payment.reference]:
                self.balance_cents += payment.amount_cents
            self.refunds[payment.reference] += 1


@dataclass
class ImageStoreDouble:
    objects: dict[str, bytes] = field(default_factory=dict)

    def put(self, key: str, content: bytes, content_type: str) -> None:
        self.objects[key] = content

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise ImageGone()
        return self.objects[key]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def signed_url(self, key: str, lifetime: timedelta) -> str | None:
        return None


def facility_settings(**changes: object) -> FacilitySettings:
    """A facility that reviews every message, unless `changes` say otherwise."""
    settings: dict[str, object] = {
        "name": "Demo County Jail",
        "time_zone": "America/Chicago",
        "deposit_fee_tiers": (FeeTier(up_to_cents=30_000, fee_cents=295),),
        "review_policy": ReviewPolicy.REVIEW_ALL,
    }
    return FacilitySettings.model_validate(settings | changes)


@dataclass
class DirectoryDouble:
    facilities: dict[str, FacilitySettings] = field(default_factory=dict)
    residents: dict[tuple[str, str], ResidentRecord] = field(default_factory=dict)

    def add(self, facility_id: str, *resident_ids: str, **settings: object) -> None:
        self.facilities[facility_id] = facility_settings(**settings)
        for resident_id in resident_ids:
            record = ResidentRecord(facility_id, resident_id, f"Resident {resident_id}", False)
            self.residents[(facility_id, resident_id)] = record

    def facility(self, facility_id: str) -> FacilitySettings:
        if facility_id not in self.facilities:
            raise FacilityNotFound(facility_id)
        return self.facilities[facility_id]

    def resident(self, facility_id: str, resident_id: str) -> ResidentRecord:
        if (facility_id, resident_id) not in self.residents:
            raise ResidentNotFound(facility_id, resident_id)
        return self.residents[(facility_id, resident_id)]
