"""An inbound SMS's outcomes as integration events: passed on, it is SmsReplyReceived
(messaging makes it a message to the resident, already paid); refused, SmsReplyRefused with the
reason. Neither carries the family member's phone number."""

from __future__ import annotations

from typing import Any

from kinlink_contracts.sms import SmsReplyPicture
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_contracts.sms import SmsReplyRefused

from kinlink_sms.domain.inbound_sms import InboundSms


def reply_received(event: Any, inbound: InboundSms) -> SmsReplyReceived:
    return SmsReplyReceived(
        **_about(inbound),
        body=inbound.body,
        segments=inbound.segments,
        amount_cents=event.amount_cents,
        payment_reference=event.payment_reference,
        received_at=inbound.received_at,
        pictures=tuple(
            SmsReplyPicture(
                index=picture.index,
                content_type=picture.content_type,
                size_bytes=picture.size,
                sha256=picture.sha256,
            )
            for picture in inbound.kept
        ),
    )


def reply_refused(event: Any, inbound: InboundSms) -> SmsReplyRefused:
    return SmsReplyRefused(**_about(inbound), reason=event.reason)


def _about(inbound: InboundSms) -> dict[str, Any]:
    return {
        "sms_id": inbound.id,
        "account_id": inbound.account_id,
        "facility_id": inbound.facility_id,
        "resident_id": inbound.resident_id,
    }
