"""Activation: the emailed link turns a registered account active; the link can be resent."""

from __future__ import annotations

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.email_address import normalize_email
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.service_layer.emailed_links import redeem
from kinlink_identity.service_layer.emailed_links import send_link
from kinlink_identity.service_layer.identity import Identity


def resend_activation(identity: Identity, email: str) -> None:
    """Answers alike whether or not an account waits for activation, so none can be probed."""
    account = identity.account_by_email(normalize_email(email))
    if account is not None and account.status is AccountStatus.PENDING_ACTIVATION:
        send_link(identity, account, TokenPurpose.ACTIVATION)


def activate(identity: Identity, token: str) -> Account:
    def attempt() -> Account:
        spent = redeem(identity, token, TokenPurpose.ACTIVATION)
        account = identity.account(spent.account_id)
        account.activate()
        identity.store.save(spent, account)
        return account

    # Of two uses of one link at once, the second reads it used and is refused.
    return identity.retrying(attempt)
