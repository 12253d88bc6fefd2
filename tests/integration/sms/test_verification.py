"""Turning SMS on for a resident with a code sent to the number, on SQLite and on the real
PostgreSQL: the code goes through the carrier from the conversation's Kinlink number, lives 10
minutes, allows five attempts and is resent at most once a minute; what refuses a number, a
facility or a family member, and what the carrier's refusals mean."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.sms import SmsOffReason
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import ResourceExhausted
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import CarrierReceipt
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import SubscriptionStatus
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.disable_sms import disable_sms
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.get_phone_number_status import get_phone_number_status
from kinlink_sms.service_layer.list_subscriptions import get_subscription
from kinlink_sms.service_layer.list_subscriptions import list_subscriptions
from kinlink_sms.service_layer.record_code_undeliverable import record_code_status
from kinlink_sms.service_layer.resend_verification_code import resend_verification_code

from tests.integration.sms.conftest import PHONE
from tests.integration.sms.conftest import start
from tests.integration.sms.conftest import turn_on
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import NO_SMS_FACILITY
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

NEW_PHONE = "+13125550199"


def confirm(gateway: SmsGateway, account_id: UUID, code: str) -> SmsSubscription:
    return confirm_verification(gateway, account_id, SMS_FACILITY, RESIDENT, code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_goes_to_the_number_from_its_kinlink_number_and_turns_sms_on(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, reopen: Callable[[], SmsGateway]
) -> None:
    verifying = start(gateway, family, "(312) 555-0123")

    (sms,) = outside.carrier.to(PHONE)
    assert verifying.pending is not None
    assert (sms.reference, sms.from_) == (
        f"code:{verifying.id}:{verifying.pending.code_salt}",
        KINLINK_NUMBERS[0],
    )
    assert verifying.status is SubscriptionStatus.VERIFYING
    confirm(gateway, family, outside.carrier.code_sent_to(PHONE))

    on = get_subscription(reopen(), family, SMS_FACILITY, RESIDENT)
    assert on.sends_to(PHONE, KINLINK_NUMBERS[0])
    assert on.consent is not None
    assert (on.consent.version, on.consent.text, on.consent.phone_number) == (
        CURRENT_SMS_CONSENT_VERSION,
        SMS_CONSENT_WORDS[CURRENT_SMS_CONSENT_VERSION],
        PHONE,
    )
    assert on.consent.given_at == gateway.clock()


def test_wrong_codes_use_up_five_attempts_kept_across_a_restart(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, reopen: Callable[[], SmsGateway]
) -> None:
    start(gateway, family)
    code = outside.carrier.code_sent_to(PHONE)
    for left in (4, 3, 2, 1):
        with pytest.raises(FailedPrecondition, match=f"{left} attempt") as caught:
            confirm(reopen(), family, wrong(code))
        assert caught.value.code == "verification_code_wrong"
    with refused(FailedPrecondition, "verification_attempts_exhausted"):
        confirm(reopen(), family, wrong(code))
    with refused(FailedPrecondition, "verification_attempts_exhausted"):
        confirm(reopen(), family, code)


def test_a_code_entered_ten_minutes_after_it_was_sent_has_expired(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, clock: Clock
) -> None:
    start(gateway, family)
    clock.now += timedelta(minutes=10)
    with refused(FailedPrecondition, "verification_code_expired"):
        confirm(gateway, family, outside.carrier.code_sent_to(PHONE))


def test_a_new_code_comes_after_a_minute_and_the_old_one_stops_working(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, clock: Clock
) -> None:
    start(gateway, family)
    first = outside.carrier.code_sent_to(PHONE)
    clock.now += timedelta(seconds=59)
    with refused(ResourceExhausted, "verification_resend_too_soon"):
        resend_verification_code(gateway, family, SMS_FACILITY, RESIDENT)
    clock.now += timedelta(seconds=1)
    resend_verification_code(gateway, family, SMS_FACILITY, RESIDENT)
    second = outside.carrier.code_sent_to(PHONE)

    assert len(outside.carrier.to(PHONE)) == 2
    if first != second:  # one chance in a million they are the same six digits
        with pytest.raises(FailedPrecondition, match="4 attempt"):
            confirm(gateway, family, first)
    assert confirm(gateway, family, second).status is SubscriptionStatus.ON


@pytest.mark.parametrize(
    ("facility_id", "phone", "kind", "code"),
    [
        (SMS_FACILITY, "(555) 123-4567", InvalidArgument, "phone_number_invalid"),
        (NO_SMS_FACILITY, PHONE, FailedPrecondition, "sms_unavailable"),
        ("FAC-NOWHERE", PHONE, NotFound, "facility_not_found"),
    ],
)
def test_a_number_or_facility_that_cannot_have_sms_is_refused_and_nothing_sent(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    facility_id: str,
    phone: str,
    kind: type[Exception],
    code: str,
) -> None:
    with refused(kind, code):  # type: ignore[arg-type]
        start(gateway, family, phone, facility_id)
    assert outside.carrier.sent == []


def test_a_family_member_who_never_corresponded_with_the_resident_is_refused(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    with refused(FailedPrecondition, "no_prior_correspondence"):
        start(gateway, family, resident_id="R-NEVER-WRITTEN")
    with refused(FailedPrecondition, "no_prior_correspondence"):
        start(gateway, uuid4())
    assert outside.carrier.sent == []


def test_a_change_of_number_keeps_the_old_one_on_until_the_new_one_is_verified(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, clock: Clock
) -> None:
    turn_on(gateway, outside, family)
    clock.now += timedelta(hours=1)
    changing = start(gateway, family, NEW_PHONE)

    assert changing.status is SubscriptionStatus.ON and changing.sends_to(PHONE, KINLINK_NUMBERS[0])
    confirm(gateway, family, outside.carrier.code_sent_to(NEW_PHONE))
    changed = get_subscription(gateway, family, SMS_FACILITY, RESIDENT)
    assert changed.sends_to(NEW_PHONE, KINLINK_NUMBERS[0])  # the new phone's first number
    assert not changed.sends_to(PHONE, KINLINK_NUMBERS[0])


def test_each_resident_a_phone_follows_has_its_own_kinlink_number_until_none_is_left(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    residents = [f"R-{n}" for n in range(len(KINLINK_NUMBERS) + 1)]
    for resident_id in residents:
        outside.directory.correspond(family, SMS_FACILITY, resident_id)
    numbers = [
        turn_on(gateway, outside, family, resident_id=r).kinlink_number for r in residents[:-1]
    ]
    assert numbers == list(KINLINK_NUMBERS)
    with refused(ResourceExhausted, "sms_numbers_exhausted"):
        start(gateway, family, resident_id=residents[-1])
    # Another phone starts from the first number again.
    other = turn_on(gateway, outside, family, NEW_PHONE, resident_id=residents[-1])
    assert other.kinlink_number == KINLINK_NUMBERS[0]


def test_residents_set_up_at_the_same_moment_on_one_phone_get_different_numbers(
    reopen: Callable[[], SmsGateway], outside: SmsOutside, family: UUID
) -> None:
    residents = [f"R-{n}" for n in range(len(KINLINK_NUMBERS))]
    for resident_id in residents:
        outside.directory.correspond(family, SMS_FACILITY, resident_id)
    gateways = [reopen() for _ in residents]
    ready = threading.Barrier(len(residents))
    errors: list[BaseException] = []

    def starting(gateway: SmsGateway, resident_id: str) -> None:
        ready.wait()
        try:
            start(gateway, family, resident_id=resident_id)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=starting, args=pair)
        for pair in zip(gateways, residents, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(sms.from_ for sms in outside.carrier.to(PHONE)) == sorted(KINLINK_NUMBERS)


def test_a_number_the_carrier_says_opted_out_is_recorded_so(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    outside.carrier.refuse_with = 21610
    with refused(FailedPrecondition, "phone_number_opted_out"):
        start(gateway, family)
    outside.carrier.refuse_with = None
    assert get_phone_number_status(gateway, PHONE).opted_out
    with refused(FailedPrecondition, "phone_number_opted_out"):
        start(gateway, family)


@pytest.mark.parametrize("carrier_error_code", [30003, 30006, 21614])
def test_a_number_the_carrier_cannot_reach_is_reported_and_another_may_be_tried_at_once(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, carrier_error_code: int
) -> None:
    outside.carrier.refuse_with = carrier_error_code
    with refused(FailedPrecondition, "phone_number_unreachable"):
        start(gateway, family)
    outside.carrier.refuse_with = None

    status = get_phone_number_status(gateway, PHONE)
    assert (status.unreachable, status.carrier_error_code) == (True, carrier_error_code)
    with refused(FailedPrecondition, "verification_not_started"):
        confirm(gateway, family, "000000")
    turn_on(gateway, outside, family, NEW_PHONE)  # not throttled: no code went out


def test_a_carrier_out_of_reach_sends_no_code_and_holds_back_no_new_start(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    outside.carrier.unreachable = True
    with refused(Unavailable, "carrier_unavailable"):
        start(gateway, family)
    outside.carrier.unreachable = False
    assert turn_on(gateway, outside, family).status is SubscriptionStatus.ON


def test_a_code_that_could_not_reach_the_number_tells_the_family_to_try_another(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, reopen: Callable[[], SmsGateway]
) -> None:
    start(gateway, family)
    sid, code_sms = outside.carrier.last_code_to(PHONE)
    undelivered = StatusReport(sid, CarrierStatus.UNDELIVERED, 30003)
    record_code_status(gateway, code_sms.reference, StatusReport(sid, CarrierStatus.SENT))
    assert get_subscription(gateway, family, SMS_FACILITY, RESIDENT).status is (
        SubscriptionStatus.VERIFYING
    )
    record_code_status(gateway, code_sms.reference, undelivered)
    record_code_status(gateway, code_sms.reference, undelivered)  # a repeated callback

    off = get_subscription(reopen(), family, SMS_FACILITY, RESIDENT)
    assert (off.status, off.shown_off_reason) == (
        SubscriptionStatus.OFF,
        SmsOffReason.NUMBER_UNREACHABLE,
    )
    with refused(FailedPrecondition, "phone_number_unreachable"):
        confirm(gateway, family, outside.carrier.code_sent_to(PHONE))
    phone = gateway.find(PhoneNumber.create_id(PHONE), PhoneNumber)
    assert phone is not None and phone.carrier_error_code == 30003
    # Verified again later, the number is reachable again.
    turn_on(gateway, outside, family)
    assert not get_phone_number_status(gateway, PHONE).unreachable


def test_a_late_report_of_an_older_code_leaves_the_newer_one_alone(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, clock: Clock
) -> None:
    start(gateway, family)
    old_sid, code_sms = outside.carrier.last_code_to(PHONE)
    clock.now += timedelta(minutes=1)
    start(gateway, family, NEW_PHONE)

    record_code_status(
        gateway, code_sms.reference, StatusReport(old_sid, CarrierStatus.FAILED, 30005)
    )

    assert not get_phone_number_status(gateway, NEW_PHONE).unreachable
    confirm(gateway, family, outside.carrier.code_sent_to(NEW_PHONE))


def test_a_family_members_settings_are_listed_per_resident_and_turned_off(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    assert list_subscriptions(gateway, family) == []
    with refused(NotFound, "sms_subscription_not_found"):
        get_subscription(gateway, family, SMS_FACILITY, RESIDENT)
    with refused(NotFound, "sms_subscription_not_found"):
        disable_sms(gateway, family, SMS_FACILITY, RESIDENT)
    outside.directory.correspond(family, SMS_FACILITY, "R-2")
    turn_on(gateway, outside, family)
    start(gateway, family, resident_id="R-2")

    listed = list_subscriptions(gateway, family)
    assert [(s.resident_id, s.status) for s in listed] == [
        (RESIDENT, SubscriptionStatus.ON),
        ("R-2", SubscriptionStatus.VERIFYING),
    ]
    assert list_subscriptions(gateway, uuid4()) == []

    off = disable_sms(gateway, family, SMS_FACILITY, RESIDENT)
    again = disable_sms(gateway, family, SMS_FACILITY, RESIDENT)
    assert (off.status, again.version) == (SubscriptionStatus.OFF, off.version)
    assert again.shown_off_reason is SmsOffReason.DISABLED


def test_wrong_codes_entered_at_the_same_moment_get_five_attempts_in_all(
    reopen: Callable[[], SmsGateway], outside: SmsOutside, family: UUID
) -> None:
    gateway = reopen()
    start(gateway, family)
    code = outside.carrier.code_sent_to(PHONE)
    gateways = [gateway, reopen(), reopen()]
    tries = 12
    ready = threading.Barrier(tries)
    codes: list[str] = []
    lock = threading.Lock()

    def guessing(n: int) -> None:
        ready.wait()
        try:
            confirm(gateways[n % len(gateways)], family, wrong(code))
        except FailedPrecondition as refusal:
            with lock:
                codes.append(refusal.code)

    threads = [threading.Thread(target=guessing, args=(n,)) for n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes) == sorted(
        ["verification_code_wrong"] * 4 + ["verification_attempts_exhausted"] * (tries - 4)
    )
    with refused(FailedPrecondition, "verification_attempts_exhausted"):
        confirm(gateway, family, code)


def test_a_code_reported_undelivered_before_its_sms_id_is_recorded_is_still_reported(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The simulated carrier and Twilio may both call back before `send` has returned.
    sending = outside.carrier.send

    def sending_and_reporting_at_once(sms: OutgoingSms) -> CarrierReceipt:
        receipt = sending(sms)
        undelivered = StatusReport(receipt.sid, CarrierStatus.UNDELIVERED, 30006)
        record_code_status(gateway, sms.reference, undelivered)
        return receipt

    monkeypatch.setattr(outside.carrier, "send", sending_and_reporting_at_once)
    start(gateway, family)

    off = get_subscription(gateway, family, SMS_FACILITY, RESIDENT)
    assert (off.status, off.shown_off_reason) == (
        SubscriptionStatus.OFF,
        SmsOffReason.NUMBER_UNREACHABLE,
    )
