"""A family member with SMS on for a resident, set up as they would: a message delivered between
them, the number entered with the consent words, the code read from the SMS the carrier got;
and what the gateway publishes of their replies."""

from __future__ import annotations

import re
from uuid import UUID

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_sms.adapters.integration_events import SmsEventTranslator
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.start_verification import StartVerification
from kinlink_sms.service_layer.start_verification import start_verification

from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SmsOutside


def subscribed(
    gateway: SmsGateway,
    outside: SmsOutside,
    account_id: UUID,
    phone_number: str,
    facility_id: str,
    resident_id: str = RESIDENT,
) -> SmsSubscription:
    outside.directory.correspond(account_id, facility_id, resident_id)
    start_verification(
        gateway,
        StartVerification(
            account_id, facility_id, resident_id, phone_number, CURRENT_SMS_CONSENT_VERSION
        ),
    )
    found = re.search(r"\b(\d{6})\b", outside.carrier.last_to(phone_number).body)
    assert found is not None, "the code SMS holds six digits"
    return confirm_verification(gateway, account_id, facility_id, resident_id, found.group(1))


def published_replies(gateway: SmsGateway) -> list[Envelope]:
    """What the outbox relay would publish of the gateway's log about SMS replies."""
    translate = SmsEventTranslator(gateway.store)
    notifications = gateway.store.recorder.select_notifications(1, 1000)
    outgoing = [m for m in map(translate, notifications) if m is not None]
    envelopes = [Envelope.from_bytes(m.value) for m in outgoing]
    return [e for e in envelopes if e.type.startswith("SmsReply")]
