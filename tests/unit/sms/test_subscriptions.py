"""An SMS subscription's rules, without infrastructure: a code lives 10 minutes and allows five
attempts, a new one comes at most once a minute, a change of number keeps the old one on until
the new one is verified, and STOP, START and the family member turn it off and on."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_contracts.sms import SmsOffReason
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from kinlink_kit.testing import refused
from kinlink_sms.domain.consent import ConsentVersionUnknown
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.phone_number import PhoneNumberOptedOut
from kinlink_sms.domain.phone_number import PhoneNumberUnreachable
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import SubscriptionStatus
from kinlink_sms.domain.verification import RESEND_AFTER
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.domain.verification import VerificationAttemptsExhausted
from kinlink_sms.domain.verification import VerificationCodeExpired
from kinlink_sms.domain.verification import VerificationNotStarted
from kinlink_sms.domain.verification import VerificationResendTooSoon
from kinlink_sms.domain.verification import code_digest

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
OLD_PHONE, NEW_PHONE = "+13125550123", "+13125550199"
KINLINK_1, KINLINK_2 = "+15005550001", "+15005550002"
VERSION = CURRENT_SMS_CONSENT_VERSION


def subscription() -> SmsSubscription:
    return SmsSubscription.open(uuid4(), "FAC-SMS", "R-1")


def started(phone: str = OLD_PHONE) -> tuple[SmsSubscription, IssuedCode]:
    verifying, code = subscription(), IssuedCode.new()
    verifying.start_verification(phone, KINLINK_1, VERSION, code, NOW)
    return verifying, code


def wrong(code: IssuedCode) -> str:
    return f"{(int(code.code) + 1) % 1_000_000:06d}"


def issued(code: str) -> IssuedCode:
    salt = IssuedCode.new().salt
    return IssuedCode(code, salt, code_digest(code, salt))


def test_a_code_is_six_digits_kept_only_as_a_salted_hash() -> None:
    codes = [IssuedCode.new() for _ in range(50)]
    assert all(len(c.code) == 6 and c.code.isdigit() for c in codes)
    assert len({c.code for c in codes}) > 1 and len({c.salt for c in codes}) == 50
    verifying = subscription()
    verifying.start_verification(OLD_PHONE, KINLINK_1, VERSION, codes[0], NOW)

    _, issued_event = verifying.collect_events()
    stored = issued_event.verification  # type: ignore[attr-defined]
    assert codes[0].code not in stored.values()
    assert stored["code_digest"] == code_digest(codes[0].code, stored["code_salt"])


def test_the_right_code_turns_sms_on_with_the_consent_shown() -> None:
    verifying, code = started()
    assert verifying.status is SubscriptionStatus.VERIFYING

    assert verifying.confirm(code.code, NOW + timedelta(minutes=9, seconds=59))

    assert (verifying.status, verifying.phone_number, verifying.kinlink_number) == (
        SubscriptionStatus.ON,
        OLD_PHONE,
        KINLINK_1,
    )
    assert verifying.consent is not None
    assert (verifying.consent.version, verifying.consent.text) == (
        VERSION,
        SMS_CONSENT_WORDS[VERSION],
    )
    assert verifying.consent.phone_number == OLD_PHONE
    assert verifying.consent.given_at == NOW + timedelta(minutes=9, seconds=59)
    assert verifying.pending is None


def test_a_code_expires_ten_minutes_after_it_was_sent() -> None:
    verifying, code = started()
    with refused(VerificationCodeExpired, "verification_code_expired"):
        verifying.confirm(code.code, NOW + timedelta(minutes=10))
    assert verifying.status is SubscriptionStatus.VERIFYING


def test_five_wrong_attempts_use_up_the_code_even_the_right_one_after() -> None:
    verifying, code = started()
    for left in (4, 3, 2, 1, 0):
        assert not verifying.confirm(wrong(code), NOW)
        assert verifying.pending is not None and verifying.pending.attempts_left == left
    with refused(VerificationAttemptsExhausted, "verification_attempts_exhausted"):
        verifying.confirm(code.code, NOW)


def test_four_wrong_attempts_leave_the_right_code_working() -> None:
    verifying, code = started()
    for _ in range(4):
        verifying.confirm(wrong(code), NOW)
    assert verifying.confirm(code.code, NOW)


def test_a_new_code_comes_a_minute_after_the_last_and_the_old_one_stops_working() -> None:
    verifying, first = subscription(), issued("111111")
    verifying.start_verification(OLD_PHONE, KINLINK_1, VERSION, first, NOW)
    with refused(VerificationResendTooSoon, "verification_resend_too_soon"):
        verifying.resend_code(issued("222222"), NOW + timedelta(seconds=59))
    verifying.resend_code(issued("222222"), NOW + timedelta(seconds=60))

    assert not verifying.confirm("111111", NOW + timedelta(seconds=61))
    assert verifying.confirm("222222", NOW + timedelta(minutes=10, seconds=59))


def test_a_new_number_is_throttled_as_a_new_code() -> None:
    verifying, _ = started()
    with refused(VerificationResendTooSoon, "verification_resend_too_soon"):
        verifying.start_verification(
            NEW_PHONE, KINLINK_1, VERSION, IssuedCode.new(), NOW + timedelta(seconds=30)
        )


def test_a_resend_or_a_confirmation_needs_a_code_sent() -> None:
    never = subscription()
    with refused(VerificationNotStarted, "verification_not_started"):
        never.resend_code(IssuedCode.new(), NOW)
    with refused(VerificationNotStarted, "verification_not_started"):
        never.confirm("123456", NOW)


def test_consent_words_of_an_unknown_version_are_refused() -> None:
    with refused(ConsentVersionUnknown, "consent_version_unknown"):
        subscription().start_verification(OLD_PHONE, KINLINK_1, "1999-01", IssuedCode.new(), NOW)


def test_a_change_of_number_keeps_the_old_one_on_until_the_new_one_is_verified() -> None:
    on, code = started(OLD_PHONE)
    on.confirm(code.code, NOW)
    new_code = IssuedCode.new()
    later = NOW + timedelta(hours=1)
    on.start_verification(NEW_PHONE, KINLINK_2, VERSION, new_code, later)

    assert on.status is SubscriptionStatus.ON
    assert on.sends_to(OLD_PHONE, KINLINK_1)
    assert on.pending is not None and on.pending.phone_number == NEW_PHONE

    on.confirm(new_code.code, later)
    assert on.sends_to(NEW_PHONE, KINLINK_2) and not on.sends_to(OLD_PHONE, KINLINK_1)
    assert on.consent is not None and on.consent.phone_number == NEW_PHONE


def test_a_change_of_number_whose_code_cannot_reach_it_leaves_the_old_one_on() -> None:
    on, code = started(OLD_PHONE)
    on.confirm(code.code, NOW)
    new_code = IssuedCode.new()
    on.start_verification(NEW_PHONE, KINLINK_2, VERSION, new_code, NOW)
    assert on.code_undeliverable(new_code.salt, 30003) == NEW_PHONE

    assert on.sends_to(OLD_PHONE, KINLINK_1)
    with refused(PhoneNumberUnreachable, "phone_number_unreachable"):
        on.confirm("000000", NOW)


def test_a_first_number_whose_code_cannot_reach_it_is_off_as_unreachable() -> None:
    verifying, code = started()
    # A report of another code (an older one) changes nothing.
    assert verifying.code_undeliverable(IssuedCode.new().salt, 30003) is None
    assert verifying.status is SubscriptionStatus.VERIFYING
    # The code's own report, even before its SID is recorded.
    assert verifying.code_undeliverable(code.salt, 30006) == OLD_PHONE

    assert verifying.status is SubscriptionStatus.OFF
    assert verifying.shown_off_reason is SmsOffReason.NUMBER_UNREACHABLE
    with refused(PhoneNumberUnreachable, "phone_number_unreachable"):
        verifying.resend_code(IssuedCode.new(), NOW + timedelta(minutes=5))
    # Another number (or the same, once its owner fixed their phone) at once: nothing went out.
    verifying.start_verification(NEW_PHONE, KINLINK_1, VERSION, IssuedCode.new(), NOW)
    assert verifying.status is SubscriptionStatus.VERIFYING


def test_stop_turns_it_off_and_start_on_again_but_not_what_the_family_turned_off() -> None:
    on, code = started()
    on.confirm(code.code, NOW)

    on.turn_off(SmsOffReason.OPTED_OUT, NOW)
    assert (on.status, on.shown_off_reason) == (SubscriptionStatus.OFF, SmsOffReason.OPTED_OUT)
    on.opted_in(NOW)
    assert on.sends_to(OLD_PHONE, KINLINK_1)

    on.disable(NOW)
    on.opted_in(NOW)
    assert (on.status, on.shown_off_reason) == (SubscriptionStatus.OFF, SmsOffReason.DISABLED)


def test_only_the_code_the_carrier_refused_is_withdrawn() -> None:
    verifying, first = started()
    later = IssuedCode.new()
    verifying.start_verification(NEW_PHONE, KINLINK_1, VERSION, later, NOW + RESEND_AFTER)

    verifying.code_not_sent(first.digest)
    assert verifying.pending is not None and verifying.pending.phone_number == NEW_PHONE
    verifying.code_not_sent(later.digest)
    assert verifying.pending is None


def test_disabling_twice_records_once_and_drops_a_change_of_number() -> None:
    on, code = started()
    on.confirm(code.code, NOW)
    on.start_verification(NEW_PHONE, KINLINK_2, VERSION, IssuedCode.new(), NOW)
    on.collect_events()

    on.disable(NOW)
    on.disable(NOW)

    assert [type(e).__name__ for e in on.collect_events()] == ["TurnedOff"]
    assert on.pending is None


@pytest.mark.parametrize("word", ["STOP", "UNSUBSCRIBE"])
def test_a_number_opted_out_stays_so_until_start(word: str) -> None:
    phone = PhoneNumber(OLD_PHONE)
    phone.opt_out(word, NOW)
    phone.opt_out("STOP", NOW + timedelta(hours=1))
    assert (phone.opt_out_keyword, phone.opted_out_at) == (word, NOW)
    with refused(PhoneNumberOptedOut, "phone_number_opted_out"):
        phone.check_not_opted_out()

    phone.opt_in(NOW)
    phone.check_not_opted_out()
    assert phone.opt_out_keyword is None


def test_a_number_is_unreachable_until_verified_again() -> None:
    phone = PhoneNumber(OLD_PHONE)
    phone.mark_unreachable(30006, NOW)
    assert (phone.unreachable, phone.carrier_error_code) == (True, 30006)
    phone.verified(NOW)
    assert (phone.unreachable, phone.carrier_error_code) == (False, None)
