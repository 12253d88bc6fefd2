"""The messaging application: its event store, read models and the collaborators its use cases
need (the wallet, the image store, the directory of facilities and residents, how an uploaded
image is checked and prepared, and the SMS gateway's pictures of SMS replies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import Protocol
from uuid import UUID

from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.application import ServiceApplication
from kinlink_kit.eventstore import TrackedApplication

from kinlink_messaging.adapters.messaging_views import MessagingViews
from kinlink_messaging.domain.blocks import Blocks
from kinlink_messaging.domain.draft import Draft
from kinlink_messaging.domain.draft import DraftNotFound
from kinlink_messaging.domain.ids import blocks_id
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.ports import Directory
from kinlink_messaging.domain.ports import ImageStore
from kinlink_messaging.domain.ports import SmsPictures
from kinlink_messaging.domain.ports import Wallet


class PreparedImage(Protocol):
    """An upload checked against the facility's rules, re-encoded without its metadata, with
    its thumbnail."""

    @property
    def content(self) -> bytes: ...
    @property
    def thumbnail(self) -> bytes: ...
    @property
    def thumbnail_content_type(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


# (upload, the facility's rules) -> the image to store, or a refusal with its own code.
PrepareImage = Callable[[Any, ImageRules], PreparedImage]


class MessagingStore(TrackedApplication):
    name = "messaging"


@dataclass
class Messaging(ServiceApplication[MessagingStore, MessagingViews]):
    wallet: Wallet
    images: ImageStore
    directory: Directory
    prepare_image: PrepareImage
    sms_pictures: SmsPictures

    def message_of(self, account_id: UUID, message_id: UUID) -> Message:
        """The account's own message (sent or received); anyone else's is not found."""
        message = self.find(message_id, Message)
        if message is None or message.account_id != account_id:
            raise MessageNotFound()
        return message

    def draft_of(self, account_id: UUID, draft_id: UUID) -> Draft:
        """The account's own draft, not deleted; anyone else's is not found."""
        draft = self.find(draft_id, Draft)
        if draft is None or not draft.belongs_to(account_id):
            raise DraftNotFound()
        return draft

    def blocks(self, account_id: UUID) -> Blocks:
        """The residents the account blocked, new and unsaved if it never blocked one."""
        return self.find(blocks_id(account_id), Blocks) or Blocks(account_id)
