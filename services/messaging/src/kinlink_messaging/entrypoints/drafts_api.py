"""SaveDraft, ListDrafts and DeleteDraft: a family member's messages not sent yet."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields

from kinlink_messaging.domain.draft import Draft
from kinlink_messaging.entrypoints.messages import FAMILY
from kinlink_messaging.entrypoints.messages import REQUEST_FIELDS
from kinlink_messaging.entrypoints.messages import caller_account
from kinlink_messaging.entrypoints.messages import method
from kinlink_messaging.entrypoints.messages import timestamp
from kinlink_messaging.service_layer.delete_draft import delete_draft
from kinlink_messaging.service_layer.list_drafts import ListDrafts
from kinlink_messaging.service_layer.list_drafts import list_drafts
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.save_draft import SaveDraft
from kinlink_messaging.service_layer.save_draft import save_draft

DRAFTS_POLICY: AccessPolicy = {
    method("SaveDraft"): FAMILY,
    method("ListDrafts"): FAMILY,
    method("DeleteDraft"): FAMILY,
}


def draft_message(draft: Draft) -> pb.Draft:
    return pb.Draft(
        draft_id=str(draft.id),
        facility_id=draft.facility_id,
        resident_id=draft.resident_id,
        body=draft.body,
        saved_at=timestamp(draft.saved_at),
    )


class DraftsApi:
    messaging: Messaging

    async def SaveDraft(
        self, request: pb.SaveDraftRequest, context: grpc.aio.ServicerContext
    ) -> pb.Draft:
        command = SaveDraft(
            caller_account(),
            request.facility_id,
            request.resident_id,
            request.body,
            parse_id(request.draft_id, "draft_id") if request.draft_id else None,
            request.client_key,
        )
        with request_fields(REQUEST_FIELDS):
            draft = await asyncio.to_thread(save_draft, self.messaging, command)
        return draft_message(draft)

    async def ListDrafts(
        self, request: pb.ListDraftsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListDraftsResponse:
        command = ListDrafts(caller_account(), request.page_size, request.page_token)
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(list_drafts, self.messaging, command)
        return pb.ListDraftsResponse(
            drafts=[draft_message(draft) for draft in page.rows],
            next_page_token=page.next_page_token,
        )

    async def DeleteDraft(
        self, request: pb.DeleteDraftRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        draft_id = parse_id(request.draft_id, "draft_id")
        with request_fields(REQUEST_FIELDS):
            await asyncio.to_thread(delete_draft, self.messaging, caller_account(), draft_id)
        return pb.Accepted()
