"""ListSmsHistory: the SMS sent to and received from the caller's phone, for 14 days."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_sms.adapters.sms_history_view import HistoryDirection
from kinlink_sms.adapters.sms_history_view import HistoryEntry
from kinlink_sms.adapters.sms_history_view import HistoryStatus
from kinlink_sms.domain.segments import Encoding
from kinlink_sms.entrypoints.messages import ENCODING
from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import REQUEST_FIELDS
from kinlink_sms.entrypoints.messages import caller_account
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.entrypoints.messages import timestamp
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.list_sms_history import ListSmsHistory
from kinlink_sms.service_layer.list_sms_history import list_sms_history

HISTORY_POLICY: AccessPolicy = {method("ListSmsHistory"): FAMILY}

_DIRECTION = proto_enum(HistoryDirection, pb.SmsDirection)
_STATUS = proto_enum(HistoryStatus, pb.SmsStatus)
_PAGING_FIELDS = {"page_size_invalid": "page_size", "page_token_invalid": "page_token"}


class HistoryApi:
    gateway: SmsGateway

    async def ListSmsHistory(
        self, request: pb.ListSmsHistoryRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListSmsHistoryResponse:
        command = ListSmsHistory(caller_account(), request.page_size, request.page_token)
        with request_fields(REQUEST_FIELDS, **_PAGING_FIELDS):
            page = await asyncio.to_thread(list_sms_history, self.gateway, command)
        return pb.ListSmsHistoryResponse(
            entries=[history_entry(entry) for entry in page.rows],
            next_page_token=page.next_page_token,
        )


def history_entry(entry: HistoryEntry) -> pb.SmsHistoryEntry:
    return pb.SmsHistoryEntry(
        sms_id=str(entry.sms_id),
        direction=_DIRECTION[entry.direction],
        facility_id=entry.facility_id,
        resident_id=entry.resident_id,
        body=entry.body,
        segments=entry.segments,
        encoding=ENCODING[Encoding(entry.encoding)] if entry.encoding else 0,
        pictures=entry.pictures,
        amount_cents=entry.amount_cents,
        status=_STATUS[entry.status],
        failure_reason=entry.failure_reason,
        message_id=str(entry.message_id) if entry.message_id else "",
        received_at=timestamp(entry.received_at),
        expires_at=timestamp(entry.expires_at),
    )
