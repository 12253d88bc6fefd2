"""A family member's SMS notifications for one resident: the number being verified, the
verified number they go to and its Kinlink number, the consent given, and whether they are on.

A change of number keeps the old one on until the new one is verified. STOP from the number
turns it off (opted_out) until START; the carrier reporting it unreachable turns it off
(number_unreachable) until a number is verified; the family member turns it off (disabled).
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.sms import SmsOffReason
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound

from kinlink_sms.domain.consent import Consent
from kinlink_sms.domain.consent import consent_words
from kinlink_sms.domain.ids import subscription_id
from kinlink_sms.domain.phone_number import PhoneNumberUnreachable
from kinlink_sms.domain.verification import ATTEMPTS_PER_CODE
from kinlink_sms.domain.verification import CODE_LIFETIME
from kinlink_sms.domain.verification import RESEND_AFTER
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.domain.verification import Verification
from kinlink_sms.domain.verification import VerificationAttemptsExhausted
from kinlink_sms.domain.verification import VerificationCodeExpired
from kinlink_sms.domain.verification import VerificationNotStarted
from kinlink_sms.domain.verification import VerificationResendTooSoon


class SubscriptionStatus(StrEnum):
    VERIFYING = "verifying"  # a code was sent; not on yet
    ON = "on"
    OFF = "off"


class SmsSubscriptionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "sms_subscription_not_found", "SMS notifications were never set up for this resident."
        )


class SmsUnavailable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("sms_unavailable", "This facility does not offer SMS notifications.")


class NoPriorCorrespondence(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "no_prior_correspondence",
            "SMS notifications are for residents you have exchanged messages with: send a "
            "message first.",
        )


def check_can_subscribe(facility: FacilitySettings, corresponded: bool) -> None:
    if not facility.sms_available:
        raise SmsUnavailable()
    if not corresponded:
        raise NoPriorCorrespondence()


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


class SmsSubscription(Aggregate):
    class Opened(Aggregate.Created):
        account_id: UUID
        facility_id: str
        resident_id: str

    # Verifications and consents travel in events as plain mappings (the store's JSON).
    class CodeIssued(Aggregate.Event):
        verification: dict[str, Any]

    class Verified(Aggregate.Event):
        consent: dict[str, Any]
        kinlink_number: str

    class TurnedOff(Aggregate.Event):
        reason: str
        turned_off_at: datetime

    class TurnedOn(Aggregate.Event):
        """Back on after START, on the verified number."""

        turned_on_at: datetime

    @staticmethod
    def create_id(account_id: UUID, facility_id: str, resident_id: str) -> UUID:
        return subscription_id(account_id, facility_id, resident_id)

    @classmethod
    def open(cls, account_id: UUID, facility_id: str, resident_id: str) -> SmsSubscription:
        return cls._create(
            cls.Opened,
            id=cls.create_id(account_id, facility_id, resident_id),
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
        )

    @event(Opened)
    def __init__(self, account_id: UUID, facility_id: str, resident_id: str) -> None:
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.on = False
        # Since when it is on: a message delivered before then is not texted.
        self.on_since: datetime | None = None
        self.off_reason: SmsOffReason | None = None
        self.phone_number: str | None = None
        self.kinlink_number: str | None = None
        self.consent: Consent | None = None
        self.pending: Verification | None = None

    @property
    def status(self) -> SubscriptionStatus:
        if self.on:
            return SubscriptionStatus.ON
        if self.pending is not None and self.pending.undeliverable_code is None:
            return SubscriptionStatus.VERIFYING
        return SubscriptionStatus.OFF

    @property
    def shown_off_reason(self) -> SmsOffReason | None:
        """Why it is off, as the family member is told: a code that could not reach the new
        number says so first."""
        if self.status is not SubscriptionStatus.OFF:
            return None
        if self.pending is not None and self.pending.undeliverable_code is not None:
            return SmsOffReason.NUMBER_UNREACHABLE
        return self.off_reason

    def texts_message_delivered_at(self, delivered_at: datetime) -> bool:
        """Whether a message delivered then is texted: only while on, and only from the moment it
        went on. A message that arrived before the family asked for SMS stays in the inbox."""
        return self.on and self.on_since is not None and delivered_at >= self.on_since

    def sends_to(self, phone_number: str, kinlink_number: str) -> bool:
        """Whether SMS are on for this conversation: its verified number and Kinlink number."""
        return (self.on, self.phone_number, self.kinlink_number) == (
            True,
            phone_number,
            kinlink_number,
        )

    # --- verification -------------------------------------------------------------------

    def _check_resend_allowed(self, now: datetime) -> None:
        """At most a code a minute, but at once after one that could not reach its number."""
        pending = self.pending
        if (
            pending is not None
            and pending.undeliverable_code is None
            and now < pending.resend_available_at
        ):
            raise VerificationResendTooSoon(pending.resend_available_at)

    def start_verification(
        self,
        phone_number: str,
        kinlink_number: str,
        consent_version: str,
        code: IssuedCode,
        now: datetime,
    ) -> Verification:
        """A code for `phone_number`, replacing any other in progress (throttled alike)."""
        consent_words(consent_version)
        self._check_resend_allowed(now)
        self._issue(phone_number, kinlink_number, consent_version, code, now)
        assert self.pending is not None
        return self.pending

    def resend_code(self, code: IssuedCode, now: datetime) -> Verification:
        """A new code for the number being verified: the old one stops working."""
        pending = self._require_pending()
        self._check_resend_allowed(now)
        self._issue(
            pending.phone_number, pending.kinlink_number, pending.consent_version, code, now
        )
        assert self.pending is not None
        return self.pending

    def _require_pending(self) -> Verification:
        if self.pending is None:
            raise VerificationNotStarted()
        if self.pending.undeliverable_code is not None:
            raise PhoneNumberUnreachable()
        return self.pending

    def _issue(
        self,
        phone_number: str,
        kinlink_number: str,
        consent_version: str,
        code: IssuedCode,
        now: datetime,
    ) -> None:
        now = _utc(now)
        verification = Verification(
            phone_number=phone_number,
            kinlink_number=kinlink_number,
            consent_version=consent_version,
            code_salt=code.salt,
            code_digest=code.digest,
            code_expires_at=now + CODE_LIFETIME,
            resend_available_at=now + RESEND_AFTER,
            attempts_left=ATTEMPTS_PER_CODE,
        )
        self._code_issued(asdict(verification))

    @event(CodeIssued)
    def _code_issued(self, verification: dict[str, Any]) -> None:
        self.pending = Verification(**verification)

    def code_not_sent(self, code_digest: str) -> None:
        """The carrier took no code (`code_digest` names it): nothing to confirm, and a new
        start is not throttled. A newer code stays."""
        if self.pending is not None and self.pending.code_digest == code_digest:
            self._code_withdrawn()

    @event("CodeWithdrawn")
    def _code_withdrawn(self) -> None:
        self.pending = None

    def code_sent(self, code_digest: str, sid: str) -> None:
        """The carrier took the code `code_digest` names as SMS `sid`."""
        if self.pending is not None and self.pending.code_digest == code_digest:
            self._code_sent(sid)

    @event("CodeSent")
    def _code_sent(self, sid: str) -> None:
        assert self.pending is not None
        self.pending = replace(self.pending, code_sid=sid)

    def code_undeliverable(self, code_salt: str, carrier_error_code: int) -> str | None:
        """The carrier reports the code SMS could not reach its number: the number, when that
        code (named by its salt, which its report's reference carries: the report may come
        before the code's SID is recorded) is still the one awaited; a report of an older code
        changes nothing."""
        pending = self.pending
        if pending is None or pending.code_salt != code_salt:
            return None
        if pending.undeliverable_code is None:
            self._code_undeliverable(carrier_error_code)
        return pending.phone_number

    @event("CodeUndeliverable")
    def _code_undeliverable(self, carrier_error_code: int) -> None:
        assert self.pending is not None
        self.pending = replace(self.pending, undeliverable_code=carrier_error_code)

    def confirm(self, typed_code: str, now: datetime) -> bool:
        """Whether `typed_code` is the code: then SMS are on for the new number, with the
        consent shown when it was entered. A wrong code uses an attempt (saved: the caller
        refuses after saving)."""
        pending = self._require_pending()
        if pending.attempts_left <= 0:
            raise VerificationAttemptsExhausted()
        if pending.expired(now):
            raise VerificationCodeExpired()
        if not pending.matches(typed_code):
            self._attempt_failed(pending.attempts_left - 1)
            return False
        words = consent_words(pending.consent_version)
        consent = Consent(words.version, words.text, pending.phone_number, _utc(now))
        self._verified(asdict(consent), pending.kinlink_number)
        return True

    @event("AttemptFailed")
    def _attempt_failed(self, attempts_left: int) -> None:
        assert self.pending is not None
        self.pending = replace(self.pending, attempts_left=attempts_left)

    @event(Verified)
    def _verified(self, consent: dict[str, Any], kinlink_number: str) -> None:
        self.consent = Consent(**consent)
        self.phone_number = self.consent.phone_number
        self.kinlink_number = kinlink_number
        self.on = True
        self.on_since = self.consent.given_at
        self.off_reason = None
        self.pending = None

    # --- on and off -----------------------------------------------------------------------

    def disable(self, now: datetime) -> None:
        """The family member turns it off, a change of number in progress with it; harmless
        when already off so."""
        if self.on or self.pending is not None or self.off_reason is not SmsOffReason.DISABLED:
            self._turned_off(SmsOffReason.DISABLED.value, _utc(now))

    def turn_off(self, reason: SmsOffReason, now: datetime) -> None:
        """The number opted out or is unreachable: off until START or a new verification; a
        change of number in progress stays."""
        if self.on:
            self._turned_off(reason.value, _utc(now))

    @event(TurnedOff)
    def _turned_off(self, reason: str, turned_off_at: datetime) -> None:
        self.on = False
        self.off_reason = SmsOffReason(reason)
        if self.off_reason is SmsOffReason.DISABLED:
            self.pending = None

    def opted_in(self, now: datetime) -> None:
        """START from its number: on again if STOP was what turned it off."""
        if not self.on and self.off_reason is SmsOffReason.OPTED_OUT:
            self._turned_on(_utc(now))

    @event(TurnedOn)
    def _turned_on(self, turned_on_at: datetime) -> None:
        self.on = True
        self.on_since = turned_on_at
        self.off_reason = None
