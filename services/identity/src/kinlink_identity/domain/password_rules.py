"""What a password must be: long enough to resist guessing, short enough to hash cheaply."""

from __future__ import annotations

from kinlink_kit.errors import InvalidArgument

MIN_PASSWORD_LENGTH = 10
# argon2 hashes any length, but an unbounded one lets a caller make every hash expensive.
MAX_PASSWORD_LENGTH = 256


def check_password_strength(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidArgument(
            "password_too_weak",
            f"A password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
        )
