"""An outbound SMS's life as integration events, keyed by resident id: SmsSent for each attempt
the carrier took, SmsDelivered once charged, SmsFailed (never charged) and SmsNotSent. None
carries the family member's phone number nor the text."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from kinlink_contracts.sms import SmsDelivered
from kinlink_contracts.sms import SmsEncoding
from kinlink_contracts.sms import SmsFailed
from kinlink_contracts.sms import SmsNotSent
from kinlink_contracts.sms import SmsSent
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import SmsContent


def outbound_translations(store: Application[Any]) -> dict[type, Translation]:
    def as_of(event: Any) -> OutboundSms:
        sms: OutboundSms = store.repository.get(
            event.originator_id, version=event.originator_version
        )
        return sms

    def sent(event: Any) -> Published:
        sms = as_of(event)
        content = _content(sms)
        return Published(
            sms.resident_id,
            SmsSent(
                **_about(sms),
                segments=content.segments,
                encoding=SmsEncoding(content.encoding),
                pictures=content.pictures,
                attempt=sms.attempt,
            ),
        )

    def paid(event: Any) -> Published:
        sms = as_of(event)
        content = _content(sms)
        return Published(
            sms.resident_id,
            SmsDelivered(
                **_about(sms),
                segments=content.segments,
                pictures=content.pictures,
                amount_cents=event.amount_cents,
                payment_reference=event.reference,
            ),
        )

    def failed(event: Any) -> Published:
        sms = as_of(event)
        return Published(
            sms.resident_id,
            SmsFailed(
                **_about(sms), reason=event.reason, carrier_error_code=event.carrier_error_code
            ),
        )

    def not_sent(event: Any) -> Published:
        sms = as_of(event)
        return Published(sms.resident_id, SmsNotSent(**_about(sms), reason=event.reason))

    return {
        OutboundSms.Sent: sent,
        OutboundSms.Paid: paid,
        OutboundSms.Failed: failed,
        OutboundSms.NotSent: not_sent,
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
