"""Stand-ins for what messaging talks to outside its own store, for the tests of its use cases:
a wallet keeping balances in memory with the ledger's promises (one charge per reference, all or
nothing, one refund per payment), a directory of facilities and residents, an image store, and
an image preparation that accepts any bytes."""

from __future__ import annotations

import hashlib
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
from kinlink_messaging.domain.ports import ChargeKind
from kinlink_messaging.domain.ports import FacilityNotFound
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import SmsPicture
from kinlink_messaging.domain.ports import SmsPictureGone
from kinlink_messaging.domain.ports import SmsPicturesUnavailable
from kinlink_messaging.domain.ports import WalletUnavailable

from tests import memory_wallet

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


@dataclass
class MemoryWallet(memory_wallet.MessagePricedWallet[Payment]):
    """At the facility's message and image prices."""

    payment = Payment
    insufficient_credit = InsufficientCredit
    unavailable = WalletUnavailable
    message_kind = ChargeKind.MESSAGE
    image_kind = ChargeKind.IMAGE


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
