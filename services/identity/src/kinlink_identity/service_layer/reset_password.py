"""Forgotten password: an emailed single-use link to choose a new one.

Requirements ("Unsubscribed From Emails Pop-Up"): an account unsubscribed from emails cannot reset
its password until it subscribes again."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.email_address import normalize_email
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.domain.password_rules import check_password_strength
from kinlink_identity.service_layer.emailed_links import redeem
from kinlink_identity.service_layer.emailed_links import send_link
from kinlink_identity.service_layer.identity import Identity


def request_password_reset(identity: Identity, email: str) -> None:
    """An unknown email is answered like a known one, so accounts cannot be probed."""
    account = identity.account_by_email(normalize_email(email))
    if account is None:
        return
    account.check_subscribed_to_email()
    send_link(identity, account, TokenPurpose.PASSWORD_RESET)


@dataclass(frozen=True)
class ResetPassword:
    token: str
    new_password: str


def reset_password(identity: Identity, command: ResetPassword) -> None:
    """Ends every earlier session: refresh tokens carry the epoch the change moves on."""
    check_password_strength(command.new_password)
    redeem(identity, command.token, TokenPurpose.PASSWORD_RESET)  # before the costly hashing
    password_hash = identity.passwords.hash(command.new_password)

    def attempt() -> Account:
        spent = redeem(identity, command.token, TokenPurpose.PASSWORD_RESET)
        account = identity.account(spent.account_id)
        account.check_subscribed_to_email()
        account.change_password(password_hash)
        identity.store.save(spent, account)
        return account

    account = identity.retrying(attempt)
    # Whoever guessed wrong before the reset no longer holds the account back.
    identity.throttle.clear(account.email)
