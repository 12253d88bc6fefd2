"""SetEmailSubscription: the holder unsubscribes from our emails, or subscribes again."""

from __future__ import annotations

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.identity import Identity


def set_email_subscription(identity: Identity, account_id: str, subscribed: bool) -> Account:
    # Honoured whatever the account's status: nobody is kept on a mailing list against their will.
    account = identity.account(account_id)
    account.set_email_subscription(subscribed)
    identity.store.save(account)
    return account
