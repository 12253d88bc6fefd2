"""Verification codes: six digits from `secrets`, kept only as a salted hash, valid 10 minutes,
five attempts each, a new one at most once a minute (decision 0043)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import ResourceExhausted

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
ATTEMPTS_PER_CODE = 5
RESEND_AFTER = timedelta(seconds=60)


class VerificationNotStarted(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "verification_not_started", "No code was sent for this: enter your number first."
        )


class VerificationCodeWrong(FailedPrecondition):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(
            "verification_code_wrong",
            f"That is not the code we sent: {attempts_left} attempt(s) left.",
        )
        self.attempts_left = attempts_left


class VerificationCodeExpired(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "verification_code_expired", "This code expired after 10 minutes: ask for a new one."
        )


class VerificationAttemptsExhausted(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "verification_attempts_exhausted",
            f"The code was entered wrong {ATTEMPTS_PER_CODE} times: ask for a new one.",
        )


class VerificationResendTooSoon(ResourceExhausted):
    def __init__(self, available_at: datetime) -> None:
        super().__init__(
            "verification_resend_too_soon",
            f"A code was just sent: ask for a new one after {available_at.isoformat()}.",
        )
        self.available_at = available_at


@dataclass(frozen=True)
class IssuedCode:
    """A new code: `code` goes to the phone, only `salt` and `digest` are kept."""

    code: str
    salt: str
    digest: str

    @classmethod
    def new(cls) -> IssuedCode:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_hex(16)
        return cls(code, salt, code_digest(code, salt))


def code_digest(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    """A number waiting for its code, with the consent shown when it was entered."""

    phone_number: str  # E.164
    kinlink_number: str  # the conversation's, which the code came from
    consent_version: str
    code_salt: str
    code_digest: str
    code_expires_at: datetime
    resend_available_at: datetime
    attempts_left: int
    # The carrier's id of the code's SMS, once it took it (for support, in the carrier's logs).
    code_sid: str | None = None
    # The carrier's error code when it reported the code SMS could not reach the number.
    undeliverable_code: int | None = None

    def matches(self, typed: str) -> bool:
        return hmac.compare_digest(code_digest(typed.strip(), self.code_salt), self.code_digest)

    def expired(self, now: datetime) -> bool:
        return now >= self.code_expires_at
