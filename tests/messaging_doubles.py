"""Stand-ins for what messaging talks to outside its own store, for the tests of its use cases:
a wallet keeping balances in memory with the ledger's promises (one charge per reference, all or
nothing, one refund per payment), a directory of facilities and residents, an image store, and
an image preparation that accepts any bytes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import ImageRules
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.residents import ResidentNotFound
from kinlink_kit.residents import ResidentRecord
from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import ChargeKind
from kinlink_messaging.domain.ports import FacilityNotFound
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import SmsPicture
from kinlink_messaging.domain.ports import SmsPictureGone
from kinlink_messaging.domain.ports import SmsPicturesUnavailable
from kinlink_messaging.domain.ports import WalletUnavailable

FACILITY = "FAC-MSG"
REVIEWING_FACILITY = "FAC-REVIEW"
RESIDENT = "R-1"


def facility_settings(**changes: object) -> FacilitySettings:
    settings = FacilitySettings(
        name="Messaging County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=295),),
        message_price_cents=50,
        image_price_cents=100,
        image_rules=ImageRules(max_per_message=3),
    )
    return settings.model_copy(update=changes)


class ProcessKilled(BaseException):
    """The process died here: nothing after this line of the use case ran."""


@dataclass
class MemoryWallet:
    directory: MemoryDirectory
    balances: dict[UUID, int] = field(default_factory=dict)
    payments: dict[tuple[UUID, str], Payment] = field(default_factory=dict)
    refunded: list[str] = field(default_factory=list)
    unreachable: bool = False
    # The charge is made, then the process dies before hearing the answer.
    killed_after_charging: bool = False
    # What happens elsewhere while the ledger is charging (e.g. a sweep).
    while_charging: Callable[[], object] | None = None
    # The ledger serialises a wallet's charges.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fund(self, account_id: UUID, cents: int) -> None:
        self.balances[account_id] = self.balances.get(account_id, 0) + cents

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        if self.unreachable:
            raise WalletUnavailable()
        if self.while_charging is not None:
            self.while_charging()
        with self.lock:
            return self._charge(account_id, facility_id, items, reference)

    def _charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        first = self.payments.get((account_id, reference))
        if first is not None:
            return first
        settings = self.directory.facility(facility_id)
        prices = {
            ChargeKind.MESSAGE: settings.message_price_cents,
            ChargeKind.IMAGE: settings.image_price_cents,
        }
        amount = sum(prices[item.kind] * item.quantity for item in items)
        balance = self.balances.get(account_id, 0)
        if amount > balance:
            raise InsufficientCredit()
        self.balances[account_id] = balance - amount
        payment = Payment(reference, amount, balance - amount)
        self.payments[(account_id, reference)] = payment
        if self.killed_after_charging:
            raise ProcessKilled()
        return payment

    def refund(self, account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        if payment.reference not in self.refunded:
            self.refunded.append(payment.reference)
            self.fund(account_id, payment.amount_cents)

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        if self.unreachable:
            raise WalletUnavailable()
        return self.payments.get((account_id, reference))

    def charged(self, account_id: UUID) -> list[Payment]:
        return [p for (account, _), p in self.payments.items() if account == account_id]


@dataclass
class MemoryDirectory:
    facilities: dict[str, FacilitySettings] = field(default_factory=dict)
    residents: dict[tuple[str, str], ResidentRecord] = field(default_factory=dict)

    def facility(self, facility_id: str) -> FacilitySettings:
        if facility_id not in self.facilities:
            raise FacilityNotFound(facility_id)
        return self.facilities[facility_id]

    def resident(self, facility_id: str, resident_id: str) -> ResidentRecord:
        if (facility_id, resident_id) not in self.residents:
            raise ResidentNotFound(facility_id, resident_id)
        return self.residents[(facility_id, resident_id)]

    def book(self, facility_id: str, resident_id: str, *, released: bool = False) -> None:
        self.residents[(facility_id, resident_id)] = ResidentRecord(
            facility_id, resident_id, f"Resident {resident_id}", released
        )


def demo_directory() -> MemoryDirectory:
    directory = MemoryDirectory(
        {
            FACILITY: facility_settings(),
            REVIEWING_FACILITY: facility_settings(review_policy=ReviewPolicy.REVIEW_ALL),
        }
    )
    directory.book(FACILITY, RESIDENT)
    directory.book(REVIEWING_FACILITY, RESIDENT)
    return directory


@dataclass
class MemoryImageStore:
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


@dataclass
class MemorySmsPictures:
    """The SMS gateway's pictures of SMS replies; `unavailable` answers as a gateway that cannot
    be reached; `while_read` happens during each read (what changes meanwhile)."""

    pictures: dict[tuple[UUID, int], SmsPicture] = field(default_factory=dict)
    unavailable: bool = False
    asked: int = 0
    while_read: Callable[[], None] | None = None

    def keep(self, sms_id: UUID, index: int, content: bytes, content_type: str) -> SmsPicture:
        picture = SmsPicture(content, content_type)
        self.pictures[(sms_id, index)] = picture
        return picture

    def reply_picture(self, sms_id: UUID, index: int) -> SmsPicture:
        self.asked += 1
        if self.while_read is not None:
            self.while_read()
        if self.unavailable:
            raise SmsPicturesUnavailable()
        if (sms_id, index) not in self.pictures:
            raise SmsPictureGone()
        return self.pictures[(sms_id, index)]


@dataclass(frozen=True)
class AcceptedImage:
    content: bytes
    thumbnail: bytes
    thumbnail_content_type: str
    content_type: str
    sha256: str
    width: int
    height: int


def accept_any_image(upload: bytes, rules: ImageRules) -> AcceptedImage:
    """Takes the upload's bytes as they are, a PNG if they say so: the images' own rules have
    their own tests."""
    content_type = "image/png" if upload.startswith(b"PNG") else "image/jpeg"
    return AcceptedImage(
        upload, upload[:8], "image/jpeg", content_type, hashlib.sha256(upload).hexdigest(), 640, 480
    )
