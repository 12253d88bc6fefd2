"""LogIn and RefreshSession: a short-lived access token and a refresh token for an account."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from kinlink_kit.errors import Unauthenticated

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.email_address import normalize_email
from kinlink_identity.service_layer.credentials import password_matches
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str
    # The client's network address: failures are counted per address as well as per account.
    address: str


@dataclass(frozen=True)
class Session:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    account: Account


def log_in(identity: Identity, command: LogIn) -> Session:
    email = normalize_email(command.email)
    account = identity.account_by_email(email)
    # An unknown email is checked against a stand-in hash, so it takes as long as a wrong
    # password and the answer is the same: nobody learns which addresses have accounts.
    password_hash = account.password_hash if account else identity.passwords.dummy_hash
    if (
        not password_matches(identity, email, password_hash, command.password, command.address)
        or account is None
    ):
        raise Unauthenticated("invalid_credentials", "The email or the password is wrong.")
    account.check_active()
    if identity.passwords.needs_rehash(account.password_hash):
        _rehash(identity, account, command.password)
    return _open_session(identity, account)


def _rehash(identity: Identity, account: Account, password: str) -> None:
    """Bring the hash up to today's costs while the password is at hand."""
    account.rehash_password(identity.passwords.hash(password))
    # Should the account have changed meanwhile, the next login tries again.
    with suppress(IntegrityError):
        identity.store.save(account)


def refresh_session(identity: Identity, refresh_token: str) -> Session:
    claims = identity.verifier.refresh_claims(refresh_token)
    try:
        account = identity.find(UUID(claims.account_id), Account)
    except ValueError:  # signed, but not for an account of ours
        account = None
    # A password change or closing the account moves the epoch on and ends older sessions.
    if account is None or claims.session_epoch != account.session_epoch or not account.is_active:
        raise Unauthenticated("session_ended", "This session has ended; log in again.")
    return _open_session(identity, account)


def _open_session(identity: Identity, account: Account) -> Session:
    now = identity.clock()
    policy = identity.policy
    return Session(
        access_token=identity.signer.access_token(
            account.principal(), policy.access_token_ttl, now
        ),
        access_token_expires_at=now + policy.access_token_ttl,
        refresh_token=identity.signer.refresh_token(
            str(account.id), account.session_epoch, policy.refresh_token_ttl, now
        ),
        refresh_token_expires_at=now + policy.refresh_token_ttl,
        account=account,
    )
