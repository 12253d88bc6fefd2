"""What messaging needs from outside, as the use cases see it; the adapters implement these.

- `Wallet`: the family member's messaging subscription, held by the ledger (charges, refunds).
- `ImageStore`: where image bytes live (a folder in the embedded mode, an S3-compatible store
  in the distributed mode); messages and events carry only an image's key and hash.
- `Directory`: the facilities' messaging settings and the residents identity booked, as
  messaging recorded them from identity's events.
- `SmsPictures`: the pictures of family members' SMS replies, kept by the SMS gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.residents import ResidentRecord


class InsufficientCredit(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "insufficient_credit",
            "Your messaging subscription does not cover this: refill it, then try again.",
        )


class WalletUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "wallet_unavailable",
            "Your messaging subscription cannot be reached just now: nothing was sent or "
            "charged. Try again in a minute.",
        )


class ImageGone(NotFound):
    def __init__(self) -> None:
        super().__init__("image_gone", "This image is no longer kept.")


class ImageStoreUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "image_store_unavailable",
            "Images cannot be stored or read just now: nothing was lost. Try again in a minute.",
        )


class SmsPictureGone(NotFound):
    def __init__(self) -> None:
        super().__init__("sms_picture_gone", "The SMS gateway no longer has this picture.")


class SmsPicturesUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "sms_pictures_unavailable", "The pictures of an SMS reply cannot be read just now."
        )


class FacilityNotFound(NotFound):
    def __init__(self, facility_id: str) -> None:
        super().__init__("facility_not_found", f"No facility {facility_id!r}.")


class ChargeKind(StrEnum):
    """The ledger's names for what a message costs (its facility sets each price)."""

    MESSAGE = "message"
    IMAGE = "image"


@dataclass(frozen=True)
class ChargeItem:
    kind: ChargeKind
    quantity: int


@dataclass(frozen=True)
class Payment:
    """What the wallet took for one reference."""

    reference: str
    amount_cents: int
    # None when another service charged it (an SMS reply, paid on receipt by the SMS gateway).
    balance_after_cents: int | None = None


class Wallet(Protocol):
    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        """Takes the items' price once per `reference`, all or nothing; a repeat returns the
        first payment. Raises `InsufficientCredit` (FailedPrecondition `insufficient_credit`)
        when the wallet cannot cover it and `WalletUnavailable` (Unavailable
        `wallet_unavailable`) when the ledger cannot be reached: then nothing was taken."""
        ...

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        """What was taken for `reference` (refunded since or not), or None when nothing was:
        how the payment sweep learns the outcome of a charge whose answer was lost. It never
        charges. Raises `WalletUnavailable` when the ledger cannot be reached."""
        ...

    def refund(self, account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        """Credits `payment` back once, whatever how often it is asked. Raises
        `WalletUnavailable` when the ledger cannot be reached (then call again later)."""
        ...


class ImageStore(Protocol):
    """Every method raises `ImageStoreUnavailable` (Unavailable `image_store_unavailable`) when
    the store cannot be reached: the caller keeps what it has and asks again later."""

    def put(self, key: str, content: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes:
        """Raises `ImageGone` (NotFound `image_gone`) when nothing is stored under `key`."""
        ...

    def delete(self, key: str) -> None:
        """Nothing stored under `key` is not an error."""
        ...

    def signed_url(self, key: str, lifetime: timedelta) -> str | None:
        """A URL a browser may fetch the object from until `lifetime` has passed, or None where
        the store cannot sign one (the embedded folder): then the image is served through the
        API."""
        ...


class Directory(Protocol):
    def facility(self, facility_id: str) -> FacilitySettings:
        """Raises `FacilityNotFound` (NotFound `facility_not_found`)."""
        ...

    def resident(self, facility_id: str, resident_id: str) -> ResidentRecord:
        """The resident held (or released) at the facility; raises `ResidentNotFound`
        (NotFound `resident_not_found`). A resident transferred away is found at the facility
        they were transferred to, not here."""
        ...


@dataclass(frozen=True)
class SmsPicture:
    content: bytes
    content_type: str  # as the family member's phone sent it


class SmsPictures(Protocol):
    def reply_picture(self, sms_id: UUID, index: int) -> SmsPicture:
        """Picture `index` of the SMS reply `sms_id`. Raises `SmsPictureGone` and
        `SmsPicturesUnavailable` (the gateway unreachable: ask again later)."""
        ...
