"""The SMS gateway application: its event store, read models and the collaborators its use
cases need (the carrier, the wallet, messaging's delivered messages, the directory of
facilities and correspondence, the pictures of replies), with the pool of Kinlink numbers it
sends from."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.application import ServiceApplication
from kinlink_kit.eventstore import TrackedApplication

from kinlink_sms.adapters.sms_views import SmsViews
from kinlink_sms.domain.ports import Carrier
from kinlink_sms.domain.ports import Directory
from kinlink_sms.domain.ports import Messages
from kinlink_sms.domain.ports import PictureStore
from kinlink_sms.domain.ports import Wallet


class SmsStore(TrackedApplication):
    name = "sms"


@dataclass(frozen=True)
class SmsOptions:
    """What the use cases read of the settings."""

    # The pool, E.164: each conversation of one phone gets its own (decision 0042).
    kinlink_numbers: tuple[str, ...]
    # How often a failed SMS is sent, the first time included.
    send_attempts: int = 4
    # Named in the answer to HELP.
    support_url: str = "https://kinlink.org/help/sms"


@dataclass
class SmsGateway(ServiceApplication[SmsStore, SmsViews]):
    carrier: Carrier
    wallet: Wallet
    messages: Messages
    directory: Directory
    options: SmsOptions
    pictures: PictureStore  # the pictures of SMS replies, for messaging
