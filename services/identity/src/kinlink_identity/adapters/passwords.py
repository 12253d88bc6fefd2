"""Password hashes: argon2id, with costs from the settings."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordHasher:
    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._argon2 = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, type=Type.ID)
        # Verified against when no account has the email, so that answer takes as long as a
        # wrong password does and timing does not tell which of the two was wrong. Made now:
        # made on first use, that first answer would take twice as long.
        self.dummy_hash = self.hash("no account has this password")

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hash: str) -> bool:
        """True when the hash was made with other costs than today's: hash it again."""
        return self._argon2.check_needs_rehash(hash)
