"""An outbound SMS's life as integration events, each from the SMS as of its event: SmsSent for
each attempt the carrier took, SmsDelivered once charged, SmsFailed (never charged) and
SmsNotSent. None carries the family member's phone number nor the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.sms import SmsDelivered
from kinlink_contracts.sms import SmsEncoding
from kinlink_contracts.sms import SmsFailed
from kinlink_contracts.sms import SmsNotSent
from kinlink_contracts.sms import SmsSent

from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import SmsContent


def _sent(event: Any, sms: OutboundSms) -> IntegrationEvent:
    content = _content(sms)
    return SmsSent(
        **_about(sms),
        segments=content.segments,
        encoding=SmsEncoding(content.encoding),
        pictures=content.pictures,
        attempt=sms.attempt,
    )


def _paid(event: Any, sms: OutboundSms) -> IntegrationEvent:
    content = _content(sms)
    return SmsDelivered(
        **_about(sms),
        segments=content.segments,
        pictures=content.pictures,
        amount_cents=event.amount_cents,
        payment_reference=event.reference,
    )


def _failed(event: Any, sms: OutboundSms) -> IntegrationEvent:
    return SmsFailed(
        **_about(sms), reason=event.reason, carrier_error_code=event.carrier_error_code
    )


def _not_sent(event: Any, sms: OutboundSms) -> IntegrationEvent:
    return SmsNotSent(**_about(sms), reason=event.reason)


# (domain event, the SMS as of it) -> the integration event
OUTBOUND_TRANSLATIONS: dict[type, Callable[[Any, OutboundSms], IntegrationEvent]] = {
    OutboundSms.Sent: _sent,
    OutboundSms.Paid: _paid,
    OutboundSms.Failed: _failed,
    OutboundSms.NotSent: _not_sent,
}


def _content(sms: OutboundSms) -> SmsContent:
    assert sms.content is not None, "sent after an attempt started"
    return sms.content


def _about(sms: OutboundSms) -> dict[str, Any]:
    return {
        "sms_id": sms.id,
        "message_id": sms.message_id,
        "account_id": sms.account_id,
        "facility_id": sms.facility_id,
        "resident_id": sms.resident_id,
    }
