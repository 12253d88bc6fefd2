"""DisableSms, GetSmsSubscription and ListSmsSubscriptions: a family member's SMS settings,
one per resident."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import request_fields

from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import REQUEST_FIELDS
from kinlink_sms.entrypoints.messages import caller_account
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.entrypoints.messages import subscription_view
from kinlink_sms.service_layer.disable_sms import disable_sms
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.list_subscriptions import get_subscription
from kinlink_sms.service_layer.list_subscriptions import list_subscriptions

SUBSCRIPTIONS_POLICY: AccessPolicy = {
    method("DisableSms"): FAMILY,
    method("GetSmsSubscription"): FAMILY,
    method("ListSmsSubscriptions"): FAMILY,
}


class SubscriptionsApi:
    gateway: SmsGateway

    async def DisableSms(
        self, request: pb.DisableSmsRequest, context: grpc.aio.ServicerContext
    ) -> pb.SmsSubscription:
        account_id = caller_account()
        with request_fields(REQUEST_FIELDS):
            subscription = await asyncio.to_thread(
                disable_sms, self.gateway, account_id, request.facility_id, request.resident_id
            )
        return subscription_view(subscription)

    async def GetSmsSubscription(
        self, request: pb.GetSmsSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> pb.SmsSubscription:
        account_id = caller_account()
        with request_fields(REQUEST_FIELDS):
            subscription = await asyncio.to_thread(
                get_subscription, self.gateway, account_id, request.facility_id, request.resident_id
            )
        return subscription_view(subscription)

    async def ListSmsSubscriptions(
        self, request: pb.ListSmsSubscriptionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListSmsSubscriptionsResponse:
        subscriptions = await asyncio.to_thread(list_subscriptions, self.gateway, caller_account())
        return pb.ListSmsSubscriptionsResponse(
            subscriptions=[subscription_view(s) for s in subscriptions]
        )
