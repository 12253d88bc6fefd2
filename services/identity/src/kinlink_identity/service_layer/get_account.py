"""GetAccount: the caller's own account; an operator may name any."""

from __future__ import annotations

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import PermissionDenied

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.identity import Identity


def get_account(identity: Identity, caller: Principal, account_id: str = "") -> Account:
    wanted = account_id or caller.account_id
    if wanted != caller.account_id and not caller.has(Role.OPERATOR):
        raise PermissionDenied("account_out_of_scope", "You may only see your own account.")
    return identity.account(wanted)
