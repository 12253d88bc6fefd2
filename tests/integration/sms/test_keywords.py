"""STOP, START and HELP from a family phone, on SQLite and on the real PostgreSQL: STOP turns
off every conversation on that number and no code goes to it until START, which turns back on
what STOP turned off; HELP says who we are and how to stop."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.sms import SmsOffReason
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import refused
from kinlink_sms.domain.keywords import keyword_in
from kinlink_sms.domain.subscription import SubscriptionStatus
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.disable_sms import disable_sms
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.get_phone_number_status import get_phone_number_status
from kinlink_sms.service_layer.handle_keyword import STARTED
from kinlink_sms.service_layer.handle_keyword import STOPPED
from kinlink_sms.service_layer.handle_keyword import handle_keyword
from kinlink_sms.service_layer.list_subscriptions import list_subscriptions

from tests.integration.sms.conftest import PHONE
from tests.integration.sms.conftest import start
from tests.integration.sms.conftest import turn_on
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import MMS_FACILITY
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

OTHER_PHONE = "+13125550199"


def texted(gateway: SmsGateway, body: str, phone: str = PHONE, to: str = KINLINK_NUMBERS[0]) -> str:
    received = keyword_in(body)
    assert received is not None
    return handle_keyword(gateway, phone, to, received)


def statuses(gateway: SmsGateway, family: UUID) -> list[tuple[SubscriptionStatus, object]]:
    return [(s.status, s.shown_off_reason) for s in list_subscriptions(gateway, family)]


def test_stop_turns_off_every_conversation_of_the_number_until_start(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    turn_on(gateway, outside, family)
    turn_on(gateway, outside, family, facility_id=MMS_FACILITY)

    assert texted(gateway, "unsubscribe", to=KINLINK_NUMBERS[1]) == STOPPED

    assert statuses(gateway, family) == [(SubscriptionStatus.OFF, SmsOffReason.OPTED_OUT)] * 2
    status = get_phone_number_status(gateway, PHONE)
    assert (status.opted_out, status.opt_out_keyword, status.opted_out_at) == (
        True,
        "UNSUBSCRIBE",
        gateway.clock(),
    )
    with refused(FailedPrecondition, "phone_number_opted_out"):
        start(gateway, family)
    sent_before = len(outside.carrier.sent)

    assert texted(gateway, "Start") == STARTED

    assert statuses(gateway, family) == [(SubscriptionStatus.ON, None)] * 2
    assert not get_phone_number_status(gateway, PHONE).opted_out
    assert len(outside.carrier.sent) == sent_before  # keywords are answered, never sent as SMS


def test_start_leaves_off_what_the_family_member_turned_off(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    turn_on(gateway, outside, family)
    texted(gateway, "STOP")
    disable_sms(gateway, family, SMS_FACILITY, RESIDENT)
    texted(gateway, "START")
    assert statuses(gateway, family) == [(SubscriptionStatus.OFF, SmsOffReason.DISABLED)]


def test_stop_from_a_number_changed_since_leaves_the_new_one_on(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    turn_on(gateway, outside, family)
    turn_on(gateway, outside, family, OTHER_PHONE)
    texted(gateway, "STOP", PHONE)
    assert statuses(gateway, family) == [(SubscriptionStatus.ON, None)]


def test_stop_from_a_verifying_number_stops_its_code_from_turning_sms_on(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    start(gateway, family)
    texted(gateway, "STOP")
    with refused(FailedPrecondition, "phone_number_opted_out"):
        confirm_verification(
            gateway, family, SMS_FACILITY, RESIDENT, outside.carrier.code_sent_to(PHONE)
        )


def test_help_names_the_conversations_facility_how_to_stop_and_where_to_get_help(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    turn_on(gateway, outside, family)
    answer = texted(gateway, "help")
    assert answer.startswith("Kinlink: messages from Texting County Jail's residents.")
    assert "Reply STOP to stop, START to resume." in answer
    assert answer.endswith(f"Help: {gateway.options.support_url}")
    # From a number Kinlink never wrote to: who we are all the same; nothing recorded.
    stranger = texted(gateway, "INFO", OTHER_PHONE, KINLINK_NUMBERS[2])
    assert stranger.startswith("Kinlink: messages from residents to their families.")
    assert not get_phone_number_status(gateway, OTHER_PHONE).opted_out
