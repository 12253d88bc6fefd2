"""What the SMS gateway needs from outside, as the use cases see it; the adapters implement these.

- `Carrier`: sends SMS and MMS (Twilio's Messages API through its SDK in the distributed mode, a
  simulated carrier writing under `var/sms/` in the embedded mode). What the carrier reports
  later (status callbacks, inbound SMS) arrives through the webhook, signed.
- `Wallet`: the family member's messaging subscription, held by the ledger.
- `Messages`: the resident's messages to send, read from messaging.
- `PictureStore`: the bytes of the pictures family members' replies carried (MMS), kept for
  messaging to fetch.
- `Directory`: facilities' SMS settings and prices, and who corresponded with whom, as the
  gateway recorded them from identity's and messaging's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable


class CarrierUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "carrier_unavailable", "SMS cannot be sent just now: nothing was lost. Try again soon."
        )


class CarrierRefused(FailedPrecondition):
    """The carrier refused the SMS for good (Twilio's error `carrier_error_code`): e.g. 21610
    the number sent STOP, 21211 not a valid number, 21614 not a mobile number."""

    def __init__(self, carrier_error_code: int, detail: str) -> None:
        super().__init__("carrier_refused", f"The carrier refused the SMS: {detail}")
        self.carrier_error_code = carrier_error_code


class PictureGone(NotFound):
    """The carrier no longer keeps a picture a phone sent (deleted, or never there)."""

    def __init__(self) -> None:
        super().__init__("picture_gone", "The carrier no longer keeps this picture.")


class CarrierStatus(StrEnum):
    """Twilio's message statuses, in the order a message goes through them."""

    ACCEPTED = "accepted"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    RECEIVED = "received"  # an inbound SMS


@dataclass(frozen=True)
class OutgoingSms:
    # What the status callbacks name: `sms:<sms id>` or `code:<verification id>`.
    reference: str
    to: str  # the family member's phone, E.164
    from_: str  # a Kinlink number, E.164
    body: str
    media_urls: tuple[str, ...] = ()  # MMS pictures the carrier fetches


@dataclass(frozen=True)
class CarrierReceipt:
    sid: str  # Twilio's message SID ("SM..." or "MM...")
    status: CarrierStatus


@dataclass(frozen=True)
class StatusReport:
    sid: str
    status: CarrierStatus
    error_code: int | None = None  # Twilio's, e.g. 30003 unreachable, 30006 landline


@dataclass(frozen=True)
class ReceivedPicture:
    url: str  # where the carrier keeps it (Twilio's media URL)
    content_type: str


@dataclass(frozen=True)
class FetchedPicture:
    content: bytes
    content_type: str  # as the carrier serves it


@dataclass(frozen=True)
class ReceivedSms:
    """An SMS (or MMS) a phone sent to a Kinlink number, as the carrier's webhook reports it."""

    sid: str
    from_: str  # the family member's phone, E.164
    to: str  # the Kinlink number it was sent to
    body: str
    segments: int
    pictures: tuple[ReceivedPicture, ...] = ()


class Carrier(Protocol):
    def send(self, sms: OutgoingSms) -> CarrierReceipt:
        """Hands the SMS to the carrier. Raises `CarrierRefused` when it refuses it for good and
        `CarrierUnavailable` when it cannot be reached (then nothing may have been sent, or it
        may: the answer was lost)."""
        ...

    def status(self, sid: str) -> StatusReport:
        """What the carrier knows of a message now (for a status callback that never came)."""
        ...

    def fetch_picture(self, url: str) -> FetchedPicture:
        """A picture a phone sent, from the carrier's media URL (signed in as the account).
        Raises `PictureGone` and `CarrierUnavailable`."""
        ...


class InsufficientCredit(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "insufficient_credit",
            "Your messaging subscription does not cover this SMS: refill it, then try again.",
        )


class WalletUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "wallet_unavailable",
            "Your messaging subscription cannot be reached just now: nothing was charged.",
        )


class ChargeKind(StrEnum):
    """The ledger's names for what an SMS costs (the facility prices each)."""

    SMS_SEGMENT = "sms_segment"
    MMS = "mms"  # a picture, priced as a message's image


@dataclass(frozen=True)
class ChargeItem:
    kind: ChargeKind
    quantity: int


@dataclass(frozen=True)
class Payment:
    reference: str
    amount_cents: int
    balance_after_cents: int


class Wallet(Protocol):
    def balance(self, account_id: UUID) -> int:
        """What the family member can spend, in cents. Raises `WalletUnavailable`."""
        ...

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        """Takes the items' price once per `reference`, all or nothing; a repeat returns the
        first payment. Raises `InsufficientCredit` and `WalletUnavailable` (nothing taken)."""
        ...

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        """What was taken for `reference`, or None. Raises `WalletUnavailable`."""
        ...


class MessageGone(NotFound):
    def __init__(self) -> None:
        super().__init__("message_gone", "The message is no longer kept.")


class MessagesUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__("messages_unavailable", "Messages cannot be read just now.")


@dataclass(frozen=True)
class MessageToSend:
    """A resident's message to a family member, as messaging delivered it."""

    message_id: UUID
    account_id: UUID
    facility_id: str
    resident_id: str
    resident_name: str
    body: str
    image_urls: tuple[str, ...]  # short-lived URLs the carrier can fetch (MMS)
    # How many pictures the message has: image_urls is empty where messaging cannot sign URLs.
    pictures: int = 0


class Messages(Protocol):
    def delivered_message(self, message_id: UUID) -> MessageToSend:
        """Raises `MessageGone` (expired, or never delivered) and `MessagesUnavailable`."""
        ...


class PictureStore(Protocol):
    def put(self, inbound_id: UUID, index: int, content: bytes) -> None:
        """Keeps a reply's picture `index`, whole or not at all."""
        ...

    def get(self, inbound_id: UUID, index: int) -> bytes:
        """Raises `PictureGone` when it is not kept here."""
        ...


class FacilityNotFound(NotFound):
    def __init__(self, facility_id: str) -> None:
        super().__init__("facility_not_found", f"No facility {facility_id!r}.")


class Directory(Protocol):
    def facility(self, facility_id: str) -> FacilitySettings:
        """Raises `FacilityNotFound`. `sms_available` and `mms_available` say what it offers;
        an SMS segment costs `message_price_cents`, an MMS picture `image_price_cents`."""
        ...

    def corresponded(self, account_id: UUID, facility_id: str, resident_id: str) -> bool:
        """Whether a message between them was delivered either way."""
        ...
