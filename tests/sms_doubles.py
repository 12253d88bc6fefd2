"""Stand-ins for what the SMS gateway talks to outside its own store, shared by every SMS test:
a carrier recording what it was asked to send (and refusing or failing on demand), a wallet
keeping balances in memory with the ledger's promises (one charge per reference, all or
nothing), messaging's delivered messages, and a directory of facilities and correspondence."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from dataclasses import field
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_sms.domain.ports import CarrierReceipt
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import ChargeKind
from kinlink_sms.domain.ports import FacilityNotFound
from kinlink_sms.domain.ports import FetchedPicture
from kinlink_sms.domain.ports import InsufficientCredit
from kinlink_sms.domain.ports import MessageGone
from kinlink_sms.domain.ports import MessagesUnavailable
from kinlink_sms.domain.ports import MessageToSend
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import PictureGone
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.domain.ports import WalletUnavailable

from tests import memory_wallet

SMS_FACILITY = "FAC-SMS"
MMS_FACILITY = "FAC-MMS"
NO_SMS_FACILITY = "FAC-NOSMS"
RESIDENT = "R-1"
KINLINK_NUMBERS = ("+15005550001", "+15005550002", "+15005550003")


def sms_facility_settings(**changes: object) -> FacilitySettings:
    settings = FacilitySettings(
        name="Texting County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=295),),
        message_price_cents=5,
        image_price_cents=25,
        sms_available=True,
    )
    return settings.model_copy(update=changes)


@dataclass
class MemoryCarrier:
    """Records every SMS handed to it; `refuse_with` (a carrier error code) refuses the next
    ones for good, `unreachable` fails them as a network error would. Serves the pictures phones
    sent (`pictures`, by media URL) and counts each fetch."""

    sent: list[tuple[str, OutgoingSms]] = field(default_factory=list)
    pictures: dict[str, FetchedPicture] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    statuses: dict[str, StatusReport] = field(default_factory=dict)
    refuse_with: int | None = None
    unreachable: bool = False
    _sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, sms: OutgoingSms) -> CarrierReceipt:
        if self.unreachable:
            raise CarrierUnavailable()
        if self.refuse_with is not None:
            raise CarrierRefused(self.refuse_with, f"error {self.refuse_with}")
        with self.lock:
            sid = f"SM{next(self._sids):032x}"
            self.sent.append((sid, sms))
            self.statuses[sid] = StatusReport(sid, CarrierStatus.QUEUED)
        return CarrierReceipt(sid, CarrierStatus.QUEUED)

    def status(self, sid: str) -> StatusReport:
        if self.unreachable:
            raise CarrierUnavailable()
        return self.statuses[sid]

    def fetch_picture(self, url: str) -> FetchedPicture:
        if self.unreachable:
            raise CarrierUnavailable()
        self.fetched.append(url)
        if url not in self.pictures:
            raise PictureGone()
        return self.pictures[url]

    def keep_picture(self, url: str, content: bytes, content_type: str) -> str:
        """A picture a phone sent, served at `url` from now on; returns the url."""
        self.pictures[url] = FetchedPicture(content, content_type)
        return url

    def report(self, sid: str, status: CarrierStatus, error_code: int | None = None) -> None:
        """What the carrier will answer about `sid` from now on."""
        self.statuses[sid] = StatusReport(sid, status, error_code)

    def to(self, phone: str) -> list[OutgoingSms]:
        """The SMS sent to `phone`, oldest first."""
        return [sms for _, sms in self.sent if sms.to == phone]

    def last_to(self, phone: str) -> OutgoingSms:
        return self.to(phone)[-1]

    def last_code_to(self, phone: str) -> tuple[str, OutgoingSms]:
        """The SID and SMS of the last verification code sent to `phone`."""
        return [
            (sid, sms)
            for sid, sms in self.sent
            if sms.to == phone and sms.reference.startswith("code:")
        ][-1]

    def code_sent_to(self, phone: str) -> str:
        """The six digits of the last verification code sent to `phone`."""
        _, sms = self.last_code_to(phone)
        found = re.search(r"\b(\d{6})\b", sms.body)
        assert found is not None, sms.body
        return found.group(1)


@dataclass
class MemoryWallet(memory_wallet.MessagePricedWallet[Payment]):
    """At the facility's SMS segment and MMS prices."""

    payment = Payment
    insufficient_credit = InsufficientCredit
    unavailable = WalletUnavailable
    message_kind = ChargeKind.SMS_SEGMENT
    image_kind = ChargeKind.MMS


@dataclass
class MemoryMessages:
    """Messaging's delivered messages, by id; `unreachable` as when messaging is down."""

    delivered: dict[UUID, MessageToSend] = field(default_factory=dict)
    unreachable: bool = False

    def deliver(self, message: MessageToSend) -> None:
        self.delivered[message.message_id] = message

    def delivered_message(self, message_id: UUID) -> MessageToSend:
        if self.unreachable:
            raise MessagesUnavailable()
        if message_id not in self.delivered:
            raise MessageGone()
        return self.delivered[message_id]


@dataclass
class MemoryDirectory:
    facilities: dict[str, FacilitySettings] = field(default_factory=dict)
    correspondence: set[tuple[UUID, str, str]] = field(default_factory=set)

    def facility(self, facility_id: str) -> FacilitySettings:
        if facility_id not in self.facilities:
            raise FacilityNotFound(facility_id)
        return self.facilities[facility_id]

    def corresponded(self, account_id: UUID, facility_id: str, resident_id: str) -> bool:
        return (account_id, facility_id, resident_id) in self.correspondence

    def correspond(self, account_id: UUID, facility_id: str, resident_id: str) -> None:
        """A message between them was delivered."""
        self.correspondence.add((account_id, facility_id, resident_id))


def sms_directory() -> MemoryDirectory:
    """A facility offering SMS, one offering MMS too, and one offering neither."""
    return MemoryDirectory(
        {
            SMS_FACILITY: sms_facility_settings(),
            MMS_FACILITY: sms_facility_settings(name="Pictures State Prison", mms_available=True),
            NO_SMS_FACILITY: sms_facility_settings(name="Quiet County Jail", sms_available=False),
        }
    )


@dataclass
class SmsOutside:
    """What the gateway talks to, kept across a restart of the application."""

    directory: MemoryDirectory = field(default_factory=sms_directory)
    carrier: MemoryCarrier = field(default_factory=MemoryCarrier)
    messages: MemoryMessages = field(default_factory=MemoryMessages)
    wallet: MemoryWallet = field(init=False)

    def __post_init__(self) -> None:
        self.wallet = MemoryWallet(self.directory)
