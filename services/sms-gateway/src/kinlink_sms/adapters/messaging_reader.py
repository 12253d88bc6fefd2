"""The `Messages` port over messaging's gRPC API: GetDeliveredMessage, called as the gateway's
own service account (role platform_service) with a deadline. Messaging unreachable or too slow:
`MessagesUnavailable` (the dispatcher tries again later); a message messaging no longer gives
(expired, or not a resident's delivered one): `MessageGone`."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1.messaging_pb2_grpc import MessagingServiceStub
from kinlink_kit.grpc_client import refusal_code
from kinlink_kit.service_call import ServiceClient

from kinlink_sms.domain.ports import MessageGone
from kinlink_sms.domain.ports import MessagesUnavailable
from kinlink_sms.domain.ports import MessageToSend

# Messaging's refusals that mean the message will never be given.
_GONE = frozenset({"message_not_found", "message_expired", "collect_message_unpaid"})


class MessagingReader(ServiceClient):
    callee = "messaging"
    unavailable = MessagesUnavailable

    @cached_property
    def _messaging(self) -> MessagingServiceStub:
        return MessagingServiceStub(self.channel)

    def delivered_message(self, message_id: UUID) -> MessageToSend:
        request = pb.GetDeliveredMessageRequest(message_id=str(message_id))
        try:
            found = self.call("GetDeliveredMessage", self._messaging.GetDeliveredMessage, request)
        except grpc.RpcError as error:
            if refusal_code(error) in _GONE:
                raise MessageGone() from error
            raise
        return MessageToSend(
            message_id=UUID(found.message_id),
            account_id=UUID(found.account_id),
            facility_id=found.facility_id,
            resident_id=found.resident_id,
            resident_name=found.resident_name,
            body=found.body,
            image_urls=tuple(found.image_urls),
            pictures=found.image_count,
        )
