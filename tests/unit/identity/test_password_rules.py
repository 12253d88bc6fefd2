from __future__ import annotations

import threading
import time

import pytest
from kinlink_identity.adapters.passwords import PasswordHasher
from kinlink_identity.domain.password_rules import MAX_PASSWORD_LENGTH
from kinlink_identity.domain.password_rules import MIN_PASSWORD_LENGTH
from kinlink_identity.domain.password_rules import check_password_strength
from kinlink_kit.errors import InvalidArgument


@pytest.mark.parametrize("length", [MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH])
def test_passwords_within_the_bounds_pass(length: int) -> None:
    check_password_strength("p" * length)


@pytest.mark.parametrize("length", [0, MIN_PASSWORD_LENGTH - 1, MAX_PASSWORD_LENGTH + 1])
def test_too_short_or_too_long_is_too_weak(length: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_password_strength("p" * length)
    assert refused.value.code == "password_too_weak"


def test_argon2id_hash_verifies_only_its_password() -> None:
    hasher = PasswordHasher(time_cost=1, memory_kib=1024)
    hashed = hasher.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse battery" not in hashed
    assert hasher.verify(hashed, "correct horse battery")
    assert not hasher.verify(hashed, "correct horse batterY")
    assert not hasher.verify("not a hash", "correct horse battery")


def test_a_hash_made_with_other_costs_needs_rehashing() -> None:
    cheap = PasswordHasher(time_cost=1, memory_kib=1024)
    dearer = PasswordHasher(time_cost=2, memory_kib=2048)
    hashed = cheap.hash("correct horse battery")
    assert not cheap.needs_rehash(hashed)
    assert dearer.needs_rehash(hashed)
    assert dearer.verify(hashed, "correct horse battery")


def test_the_stand_in_hash_matches_no_ordinary_password() -> None:
    hasher = PasswordHasher(time_cost=1, memory_kib=1024)
    assert hasher.dummy_hash.startswith("$argon2id$")
    assert not hasher.verify(hasher.dummy_hash, "correct horse battery")


def test_no_more_hashes_run_at_once_than_allowed() -> None:
    """Each argon2 run holds its memory cost: a burst of logins must queue, not pile up."""
    hasher = PasswordHasher(time_cost=1, memory_kib=1024, concurrency=2)
    hashed = hasher.hash("correct horse battery")
    argon2 = hasher._argon2
    running, most, lock = 0, 0, threading.Lock()

    class CountingArgon2:
        def verify(self, hash: str, password: str) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            try:
                return argon2.verify(hash, password)
            finally:
                with lock:
                    running -= 1

    hasher._argon2 = CountingArgon2()  # type: ignore[assignment]
    threads = [
        threading.Thread(target=hasher.verify, args=(hashed, "correct horse battery"))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most == 2
