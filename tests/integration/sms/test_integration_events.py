"""What the outbox publishes of SMS subscriptions, on SQLite and on the real PostgreSQL:
SmsTurnedOn with the consent given, SmsTurnedOff with why, keyed by resident id, and never a
phone number; a code sent or entered wrong publishes nothing."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.sms import SmsOffReason
from kinlink_contracts.sms import SmsTurnedOff
from kinlink_contracts.sms import SmsTurnedOn
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.testing import Clock
from kinlink_sms.adapters.integration_events import SmsEventTranslator
from kinlink_sms.domain.keywords import keyword_in
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.disable_sms import disable_sms
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.handle_keyword import handle_keyword

from tests.integration.sms.conftest import PHONE
from tests.integration.sms.conftest import start
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside


def published(gateway: SmsGateway) -> list[Envelope]:
    translate = SmsEventTranslator(gateway.store)
    notifications = gateway.store.tracking.select_notifications(0, 1000, inclusive_of_start=False)
    return [Envelope.from_bytes(m.value) for n in notifications if (m := translate(n))]


def keyword(gateway: SmsGateway, body: str) -> None:
    received = keyword_in(body)
    assert received is not None
    handle_keyword(gateway, PHONE, KINLINK_NUMBERS[0], received)


def test_sms_turned_on_and_off_are_published_with_consent_and_reason_never_the_number(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, clock: Clock
) -> None:
    start(gateway, family)
    assert published(gateway) == []  # a code on its way is nobody else's business
    verified_at = clock()
    code = outside.carrier.code_sent_to(PHONE)
    confirm_verification(gateway, family, SMS_FACILITY, RESIDENT, code)
    keyword(gateway, "STOP")
    keyword(gateway, "START")
    disable_sms(gateway, family, SMS_FACILITY, RESIDENT)

    envelopes = published(gateway)

    assert [e.type for e in envelopes] == [
        "SmsTurnedOn",
        "SmsTurnedOff",
        "SmsTurnedOn",
        "SmsTurnedOff",
    ]
    assert {(e.key, e.producer) for e in envelopes} == {(RESIDENT, "sms-gateway")}
    on = SmsTurnedOn.model_validate(envelopes[0].payload)
    assert (on.account_id, on.facility_id, on.resident_id) == (family, SMS_FACILITY, RESIDENT)
    assert (on.consent_version, on.consented_at) == (CURRENT_SMS_CONSENT_VERSION, verified_at)
    reasons = [SmsTurnedOff.model_validate(envelopes[n].payload).reason for n in (1, 3)]
    assert reasons == [SmsOffReason.OPTED_OUT, SmsOffReason.DISABLED]
    assert all(PHONE not in e.to_bytes().decode() for e in envelopes)
    assert len({e.event_id for e in envelopes}) == 4
    assert [e.event_id for e in published(gateway)] == [e.event_id for e in envelopes]
