"""STOP, START and HELP (and their synonyms) from a family phone, as the inbound webhook hands
them over: STOP opts the number out (every conversation of it off, nothing more sent until
START), START opts it back in (what STOP turned off is on again), HELP is answered. Each gets
the answer to send back; none is charged nor passed on."""

from __future__ import annotations

from kinlink_contracts.sms import SmsOffReason

from kinlink_sms.domain.keywords import Keyword
from kinlink_sms.domain.keywords import ReceivedKeyword
from kinlink_sms.domain.number_route import NumberRoute
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import FacilityNotFound
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.kinlink_numbers import routes_of

STOPPED = "Kinlink: you will get no more SMS from Kinlink at this number. Reply START to resume."
STARTED = "Kinlink: SMS from Kinlink resume at this number. Reply STOP to stop, HELP for help."


def help_text(facility_name: str | None, support_url: str) -> str:
    whose = f"{facility_name}'s residents" if facility_name else "residents to their families"
    return (
        f"Kinlink: messages from {whose}. Reply STOP to stop, START to resume. "
        f"Msg&data rates may apply. Help: {support_url}"
    )


def handle_keyword(
    gateway: SmsGateway, phone_number: str, kinlink_number: str, received: ReceivedKeyword
) -> str:
    """The answer to send to `phone_number` (E.164), which sent `received` to
    `kinlink_number`."""
    if received.keyword is Keyword.HELP:
        return help_text(_facility_name(gateway, phone_number, kinlink_number), _url(gateway))
    now = gateway.clock()

    def attempt() -> None:
        phone = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber)
        phone = phone or PhoneNumber(phone_number)
        conversations = _subscriptions_of(gateway, phone_number)
        for subscription in conversations:
            if received.keyword is Keyword.STOP:
                subscription.turn_off(SmsOffReason.OPTED_OUT, now)
            else:
                subscription.opted_in(now)
        if received.keyword is Keyword.STOP:
            phone.opt_out(received.word, now)
        else:
            phone.opt_in(now)
        gateway.store.save(phone, *conversations)

    gateway.retrying(attempt)
    return STOPPED if received.keyword is Keyword.STOP else STARTED


def _subscriptions_of(gateway: SmsGateway, phone_number: str) -> list[SmsSubscription]:
    """The subscriptions whose verified number this is (a change of number leaves routes to
    subscriptions now on another)."""
    found = (
        gateway.find(route.subscription_id, SmsSubscription)
        for route in routes_of(gateway, phone_number)
    )
    return [s for s in found if s is not None and s.phone_number == phone_number]


def _facility_name(gateway: SmsGateway, phone_number: str, kinlink_number: str) -> str | None:
    route = gateway.find(
        NumberRoute.create_id(phone_number, kinlink_number), NumberRoute, to_change=False
    )
    if route is None:
        return None
    subscription = gateway.find(route.subscription_id, SmsSubscription, to_change=False)
    if subscription is None:
        return None
    try:
        return gateway.directory.facility(subscription.facility_id).name
    except FacilityNotFound:
        return None


def _url(gateway: SmsGateway) -> str:
    return gateway.options.support_url
