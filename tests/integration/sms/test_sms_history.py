"""ListSmsHistory over gRPC, on SQLite and on the real PostgreSQL: every SMS sent to and received
from the caller's phone, newest first, page by page, with what it cost and why it failed;
listed for 336 hours after it was received, to the instant; nobody else's."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

from tests.conftest import TokenKeys
from tests.integration.sms.outbound import delivered
from tests.integration.sms.outbound import family
from tests.integration.sms.outbound import turned_on
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

Stub = sms_pb2_grpc.SmsGatewayServiceStub


async def test_the_history_lists_both_ways_newest_first_paged_for_336_hours(
    sms_stub: Stub, gateway: SmsGateway, outside: SmsOutside, token_keys: TokenKeys, clock: Clock
) -> None:
    account = family(outside, cents=100)
    turned_on(gateway, account)
    first = clock.now
    delivered(gateway, outside, account, "Hello")
    dispatch_due(gateway)
    ((sid, sent),) = outside.carrier.sent
    record_sms_status(gateway, sent.reference, StatusReport(sid, CarrierStatus.DELIVERED))
    clock.now += timedelta(minutes=1)
    delivered(gateway, outside, account, "Goodbye")  # refused by the carrier: not a mobile
    outside.carrier.refuse_with = 21614
    dispatch_due(gateway)
    clock.now += timedelta(minutes=1)
    reply = InboundSms(
        "SMreply", account, SMS_FACILITY, RESIDENT, "Love you", 1, "gsm7", 0, clock.now
    )
    reply.pass_on(Payment("sms:SMreply", 5, 90), clock.now)
    gateway.store.save(reply)
    stranger = family(outside)
    turned_on(gateway, stranger, phone="+15551239999")
    delivered(gateway, outside, stranger, "Not yours")

    metadata = token_keys.family(str(account))
    page = await sms_stub.ListSmsHistory(pb.ListSmsHistoryRequest(page_size=2), metadata=metadata)
    assert [(entry.direction, entry.body, entry.status) for entry in page.entries] == [
        (pb.SMS_DIRECTION_FROM_PHONE, "Love you", pb.SMS_STATUS_DELIVERED),
        (pb.SMS_DIRECTION_TO_PHONE, "Kinlink: Ada Lovelace: Goodbye", pb.SMS_STATUS_FAILED),
    ]
    assert page.entries[0].amount_cents == 5 and page.entries[1].amount_cents == 0
    assert page.entries[1].failure_reason == "number_unreachable"
    rest = await sms_stub.ListSmsHistory(
        pb.ListSmsHistoryRequest(page_size=2, page_token=page.next_page_token), metadata=metadata
    )
    assert rest.next_page_token == ""
    (oldest,) = rest.entries
    assert (oldest.body, oldest.status, oldest.amount_cents) == (
        "Kinlink: Ada Lovelace: Hello",
        pb.SMS_STATUS_DELIVERED,
        5,
    )
    assert (oldest.segments, oldest.encoding, oldest.facility_id, oldest.resident_id) == (
        1,
        pb.SMS_ENCODING_GSM7,
        SMS_FACILITY,
        RESIDENT,
    )
    assert oldest.received_at.ToDatetime().replace(tzinfo=first.tzinfo) == first
    assert oldest.expires_at.ToDatetime().replace(tzinfo=first.tzinfo) == (
        first + timedelta(hours=336)
    )

    clock.now = first + timedelta(hours=336) - timedelta(microseconds=1)
    listed = await sms_stub.ListSmsHistory(
        pb.ListSmsHistoryRequest(page_size=10), metadata=metadata
    )
    assert len(listed.entries) == 3
    clock.now += timedelta(microseconds=1)  # the first one's 336 hours are over
    listed = await sms_stub.ListSmsHistory(
        pb.ListSmsHistoryRequest(page_size=10), metadata=metadata
    )
    assert [entry.body for entry in listed.entries] == [
        "Love you",
        "Kinlink: Ada Lovelace: Goodbye",
    ]


async def test_a_bad_page_is_refused_naming_the_field(
    sms_stub: Stub, token_keys: TokenKeys
) -> None:
    metadata = token_keys.family(str(uuid4()))
    for request, reason, field in (
        (pb.ListSmsHistoryRequest(page_size=0), "page_size_invalid", "page_size"),
        (
            pb.ListSmsHistoryRequest(page_size=5, page_token="nonsense"),
            "page_token_invalid",
            "page_token",
        ),
    ):
        await refused_over_grpc(
            sms_stub.ListSmsHistory(request, metadata=metadata),
            grpc.StatusCode.INVALID_ARGUMENT,
            reason,
            field,
        )
