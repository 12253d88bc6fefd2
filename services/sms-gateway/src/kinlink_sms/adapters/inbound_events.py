"""An inbound SMS's outcomes as integration events, keyed by resident id: passed on, it is
SmsReplyReceived (messaging makes it a message to the resident, already paid); refused,
SmsReplyRefused with the reason. Neither carries the family member's phone number."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_contracts.sms import SmsReplyRefused
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_sms.domain.inbound_sms import InboundSms


def inbound_translations(store: Application[Any]) -> dict[type, Translation]:
    def as_of(event: Any) -> InboundSms:
        inbound: InboundSms = store.repository.get(
            event.originator_id, version=event.originator_version
        )
        return inbound

    def passed_on(event: Any) -> Published:
        inbound = as_of(event)
        return Published(
            inbound.resident_id,
            SmsReplyReceived(
                **_about(inbound),
                body=inbound.body,
                segments=inbound.segments,
                amount_cents=event.amount_cents,
                payment_reference=event.payment_reference,
                received_at=inbound.received_at,
            ),
        )

    def refused(event: Any) -> Published:
        inbound = as_of(event)
        return Published(
            inbound.resident_id, SmsReplyRefused(**_about(inbound), reason=event.reason)
        )

    return {InboundSms.PassedOn: passed_on, InboundSms.Refused: refused}


def _about(inbound: InboundSms) -> dict[str, Any]:
    return {
        "sms_id": inbound.id,
        "account_id": inbound.account_id,
        "facility_id": inbound.facility_id,
        "resident_id": inbound.resident_id,
    }
