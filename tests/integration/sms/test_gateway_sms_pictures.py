"""Messaging's `SmsPictures` adapter against the gateway's gRPC API as the service serves it, on
SQLite and the real PostgreSQL: signed in as messaging's service account, a reply's picture read
whole; a picture the gateway does not have is gone; a gateway out of reach is unavailable."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from uuid import UUID

from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused
from kinlink_messaging.adapters.sms_pictures import GatewaySmsPictures
from kinlink_messaging.domain.images import PlatformImageLimits
from kinlink_messaging.domain.ports import SmsPictureGone
from kinlink_messaging.domain.ports import SmsPicturesUnavailable
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import receive_sms

from tests.integration.messaging.test_ledger_wallet import identity_address  # noqa: F401
from tests.integration.sms.subscribed import subscribed
from tests.integration.sms.test_reply_pictures import jpeg
from tests.integration.sms.test_reply_pictures import mms_to
from tests.integration.sms.test_reply_pictures import served
from tests.service_accounts import service_account
from tests.sms_doubles import MMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.sms_doubles import sms_facility_settings

PHONE = "+13125550123"


def replied_with(gateway: SmsGateway, outside: SmsOutside, family: UUID, photo: bytes) -> UUID:
    """The id of a reply passed on at FAC-MMS with `photo` as its picture."""
    conversation = subscribed(gateway, outside, family, PHONE, MMS_FACILITY)
    sms = mms_to(conversation, "Look!", served(outside, "ME7", photo, "image/jpeg"))
    receive_sms(gateway, sms)
    return InboundSms.create_id(sms.sid)


async def test_messaging_reads_a_replys_picture_from_the_gateway(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    sms_address: str,
    identity_address: str,  # noqa: F811
) -> None:
    photo = jpeg()
    sms_id = replied_with(gateway, outside, family, photo)
    pictures = GatewaySmsPictures(sms_address, service_account(identity_address))
    away = GatewaySmsPictures(
        f"127.0.0.1:{free_port()}", service_account(identity_address), timedelta(seconds=1)
    )

    picture = await asyncio.to_thread(pictures.reply_picture, sms_id, 0)

    assert (picture.content, picture.content_type) == (photo, "image/jpeg")
    with refused(SmsPictureGone, "sms_picture_gone"):
        await asyncio.to_thread(pictures.reply_picture, sms_id, 1)
    with refused(SmsPicturesUnavailable, "sms_pictures_unavailable"):
        await asyncio.to_thread(away.reply_picture, sms_id, 0)
    pictures.close()
    away.close()


async def test_a_picture_as_large_as_the_platform_allows_is_read_whole(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    sms_address: str,
    identity_address: str,  # noqa: F811
) -> None:
    largest = PlatformImageLimits().max_bytes  # above gRPC's default 4 MB for an answer
    outside.directory.facilities[MMS_FACILITY] = sms_facility_settings(
        mms_available=True, image_rules=ImageRules(max_bytes=largest)
    )
    photo = os.urandom(largest)  # the gateway checks bytes, not pixels: messaging decodes
    sms_id = replied_with(gateway, outside, family, photo)
    pictures = GatewaySmsPictures(sms_address, service_account(identity_address))

    picture = await asyncio.to_thread(pictures.reply_picture, sms_id, 0)

    assert picture.content == photo
    pictures.close()
