"""Reactivating a closed account through an emailed link.

requirements ("Unsubscribed From Emails Pop-Up"): an account unsubscribed from emails cannot be
reactivated until it subscribes again.
"""

from __future__ import annotations

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.email_address import normalize_email
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.service_layer.emailed_links import redeem
from kinlink_identity.service_layer.emailed_links import send_link
from kinlink_identity.service_layer.identity import Identity


def request_reactivation(identity: Identity, email: str) -> None:
    """Emails a link to a closed account; any other email is answered alike, unless it belongs to
    an unsubscribed closed account, which is told why no link comes."""
    account = identity.account_by_email(normalize_email(email))
    if account is None or account.status is not AccountStatus.CLOSED:
        return
    account.check_subscribed_to_email()
    send_link(identity, account, TokenPurpose.REACTIVATION)


def reactivate(identity: Identity, token: str) -> Account:
    def attempt() -> Account:
        spent = redeem(identity, token, TokenPurpose.REACTIVATION)
        account = identity.account(spent.account_id)
        account.check_subscribed_to_email()
        account.reactivate()
        identity.store.save(spent, account)
        return account

    return identity.retrying(attempt)
