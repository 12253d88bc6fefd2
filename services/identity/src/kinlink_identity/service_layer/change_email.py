"""Changing the email address, the account's unique id (requirements: "Change Email Address").

The new address must be free, and is only taken once a link sent to it is followed: nobody can
move an account to an address they do not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.email_address import normalize_email
from kinlink_identity.domain.email_claim import EmailClaim
from kinlink_identity.domain.ids import email_claim_id
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.service_layer.credentials import check_password
from kinlink_identity.service_layer.email_claims import check_email_free
from kinlink_identity.service_layer.email_claims import claim_email
from kinlink_identity.service_layer.emailed_links import issue_link
from kinlink_identity.service_layer.emailed_links import redeem
from kinlink_identity.service_layer.emailed_links import send
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class RequestEmailChange:
    account_id: str
    new_email: str
    password: str
    address: str


def request_email_change(identity: Identity, command: RequestEmailChange) -> None:
    account = identity.account(command.account_id)
    account.check_active()
    new_email = normalize_email(command.new_email)
    if new_email == account.email:
        raise InvalidArgument("email_unchanged", "This is already the account's email.")
    check_password(identity, account, command.password, command.address)
    check_email_free(identity, new_email)
    token, email = issue_link(
        identity, account, TokenPurpose.EMAIL_CHANGE, to=new_email, subject=new_email
    )
    identity.store.save(token)
    send(identity, email)


def confirm_email_change(identity: Identity, token: str) -> Account:
    """Takes the new address and frees the old one in one transaction."""

    def attempt() -> Account:
        spent = redeem(identity, token, TokenPurpose.EMAIL_CHANGE)
        account = identity.account(spent.account_id)
        account.check_active()
        new_claim = claim_email(identity, spent.subject, account.id)
        old_claim = identity.find(email_claim_id(account.email), EmailClaim)
        if old_claim is not None and old_claim.account_id == account.id:
            old_claim.release()
        account.change_email(spent.subject)
        identity.store.save(spent, account, new_claim, old_claim)
        return account

    # Whoever took the address (or used the link) first, the second finds it so on reading again.
    return identity.retrying(attempt)
