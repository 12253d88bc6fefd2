"""CloseAccount: the holder closes the account, which can be reactivated later; an operator
closes the account of a staff member who leaves.

The email stays claimed (reactivation needs it) but the identity documents kept for verification
are erased now: nothing of them is needed while the account is closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.credentials import check_password
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class CloseAccount:
    account_id: str
    password: str
    address: str


def close_account(identity: Identity, command: CloseAccount) -> Account:
    account = identity.account(command.account_id)
    check_password(identity, account, command.password, command.address)
    account.close()
    # Erased before the closing is saved: should saving fail, the holder closes again and
    # nothing is left behind; the other way round, the documents could outlive the account.
    identity.vault.erase(account.id)
    identity.store.save(account)
    return account


def close_staff_account(identity: Identity, account_id: str) -> Account:
    """Family members close their own accounts; an operator closes only staff accounts."""
    account = identity.account(account_id)
    if Role.FAMILY_MEMBER in account.roles:
        raise FailedPrecondition("not_a_staff_account", "Family members close their own accounts.")
    account.close()
    identity.store.save(account)
    return account
