"""EditAccount: the holder changes the details named, and only those."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from typing import Any

from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account_details import checked_address
from kinlink_identity.domain.account_details import checked_name
from kinlink_identity.domain.account_details import checked_phone
from kinlink_identity.domain.account_details import checked_time_zone
from kinlink_identity.service_layer.identity import Identity

# Each editable detail and the rule its new value must pass.
_EDITABLE: dict[str, Callable[[Any], Any]] = {
    "first_name": partial(checked_name, which="first_name"),
    "last_name": partial(checked_name, which="last_name"),
    "address": checked_address,
    "phone": checked_phone,
    "time_zone": checked_time_zone,
}


@dataclass(frozen=True)
class EditAccount:
    account_id: str
    fields: Sequence[str]
    first_name: str = ""
    last_name: str = ""
    address: Address = field(default_factory=dict)
    phone: str = ""
    time_zone: str = ""


def edit_account(identity: Identity, command: EditAccount) -> Account:
    if not command.fields:
        raise InvalidArgument("fields_missing", "Name the details to change.")
    unknown = sorted(set(command.fields) - _EDITABLE.keys())
    if unknown:
        raise InvalidArgument(
            "field_not_editable", f"These cannot be edited: {', '.join(unknown)}."
        )
    account = identity.account(command.account_id)
    account.check_active()
    details = {name: getattr(account, name) for name in _EDITABLE}
    for name in command.fields:
        details[name] = _EDITABLE[name](getattr(command, name))
    if details != {name: getattr(account, name) for name in _EDITABLE}:
        account.edit_details(**details)
        identity.store.save(account)
    return account
