"""Checking a password, throttled per account and per client address."""

from __future__ import annotations

from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.identity import Identity


def password_matches(
    identity: Identity, email: str, password_hash: str, password: str, address: str
) -> bool:
    """Whether `password` matches; raises ResourceExhausted while the account or the address has
    failed too often, so guessing stays slow whichever of the two an attacker varies. The attempt
    is counted before the password is checked: guesses sent at once cannot all slip through."""
    identity.throttle.attempt(email, address, identity.clock())
    if identity.passwords.verify(password_hash, password):
        identity.throttle.clear(email)
        return True
    return False


def check_password(identity: Identity, account: Account, password: str, address: str) -> None:
    """The signed-in holder confirms a grave change with the password, so a borrowed session
    cannot take the account over or close it."""
    if not password_matches(identity, account.email, account.password_hash, password, address):
        raise InvalidArgument("password_incorrect", "The password is not right.")
