"""Password hashes: argon2id, with costs from the settings.

Each hash or check holds `memory_kib` of memory, so they run on a few threads of their own
(`concurrency`, by default one per core: more would not finish sooner, the work is all CPU) and
the other callers wait their turn. A few threads also keep the memory in a few places: the C
allocator keeps what a thread freed for that thread's next use, so hashing on any of the 32
request threads would leave up to 32 times `memory_kib` held (measured: 957 MB at peak).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError


class PasswordHasher:
    def __init__(self, time_cost: int, memory_kib: int, concurrency: int | None = None) -> None:
        self._argon2 = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, type=Type.ID)
        self._threads = ThreadPoolExecutor(
            concurrency or os.cpu_count() or 1, thread_name_prefix="argon2"
        )
        # Verified against when no account has the email, so that answer takes as long as a
        # wrong password does and timing does not tell which of the two was wrong. Made now:
        # made on first use, that first answer would take twice as long.
        self.dummy_hash = self.hash("no account has this password")

    def hash(self, password: str) -> str:
        return self._threads.submit(self._argon2.hash, password).result()

    def verify(self, hash: str, password: str) -> bool:
        try:
            return self._threads.submit(self._argon2.verify, hash, password).result()
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hash: str) -> bool:
        """True when the hash was made with other costs than today's: hash it again."""
        return self._argon2.check_needs_rehash(hash)
