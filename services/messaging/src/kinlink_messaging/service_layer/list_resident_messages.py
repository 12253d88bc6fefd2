"""ListResidentMessages: what a facility's kiosk shows a resident, newest first, page by page:
messages to them once delivered, and their own replies."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.auth import Principal
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_messaging.adapters.facility_messages_view import resident_messages
from kinlink_messaging.domain.message import Message
from kinlink_messaging.service_layer.messaging import Messaging


@dataclass(frozen=True)
class ListResidentMessages:
    facility_id: str
    resident_id: str
    page_size: int
    page_token: str = ""


def list_resident_messages(
    messaging: Messaging, integration: Principal, command: ListResidentMessages
) -> Page[Message]:
    integration.require_facility(command.facility_id)
    messaging.directory.resident(command.facility_id, command.resident_id)  # NotFound if unknown
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    rows = resident_messages(
        messaging.views.messages, command.facility_id, command.resident_id, page_size + 1, after
    )
    page = page_of(rows, page_size, lambda row: (row[0], str(row[1])))
    messages = (messaging.find(message_id, Message, to_change=False) for _, message_id in page.rows)
    return Page([message for message in messages if message], page.next_page_token)
