"""StartVerification: a family member enters a number (and agrees to the consent words shown)
to get SMS for a resident they corresponded with; a code goes to that number. With SMS on
already, this is a change of number: the old one works until the new one is verified."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.ids import canonical_id

from kinlink_sms.domain.account_subscriptions import AccountSubscriptions
from kinlink_sms.domain.consent import consent_words
from kinlink_sms.domain.phone import parse_phone_number
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import check_can_subscribe
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.kinlink_numbers import route_for
from kinlink_sms.service_layer.verification_codes import send_code


@dataclass(frozen=True)
class StartVerification:
    account_id: UUID
    facility_id: str
    resident_id: str
    phone_number: str  # as typed
    consent_version: str


def start_verification(gateway: SmsGateway, command: StartVerification) -> SmsSubscription:
    phone_number = parse_phone_number(command.phone_number)
    consent_words(command.consent_version)
    facility_id = canonical_id(command.facility_id)
    resident_id = canonical_id(command.resident_id)
    check_can_subscribe(
        gateway.directory.facility(facility_id),
        gateway.directory.corresponded(command.account_id, facility_id, resident_id),
    )
    phone = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber, to_change=False)
    if phone is not None:
        phone.check_not_opted_out()
    code = IssuedCode.new()
    now = gateway.clock()
    subscription_id = SmsSubscription.create_id(command.account_id, facility_id, resident_id)
    index_id = AccountSubscriptions.create_id(command.account_id)

    def attempt() -> SmsSubscription:
        subscription = gateway.find(subscription_id, SmsSubscription) or SmsSubscription.open(
            command.account_id, facility_id, resident_id
        )
        index = gateway.find(index_id, AccountSubscriptions) or AccountSubscriptions(
            command.account_id
        )
        kinlink_number, new_route = route_for(gateway, phone_number, subscription.id)
        subscription.start_verification(
            phone_number, kinlink_number, command.consent_version, code, now
        )
        index.add(subscription.id)
        gateway.store.save(subscription, index, *([new_route] if new_route else []))
        return subscription

    subscription = gateway.retrying(attempt)
    assert subscription.pending is not None
    send_code(gateway, subscription.id, subscription.pending, code)
    return subscription
