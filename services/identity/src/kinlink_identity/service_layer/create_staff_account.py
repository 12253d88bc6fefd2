"""CreateStaffAccount: an operator opens an account for staff, active at once.

Staff are facility officers, operators, auditors and facility integrations, and the accounts
Kinlink's own services sign in with (platform_service); family members register themselves.
Officers and integrations act only for the facilities named here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.new_account import new_account

_FACILITY_SCOPED = frozenset({Role.FACILITY_OFFICER, Role.FACILITY_INTEGRATION})
# Staff work in no one place; their times are shown in UTC.
_STAFF_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class CreateStaffAccount:
    email: str
    password: str
    first_name: str
    last_name: str
    roles: Sequence[str]
    facility_ids: Sequence[str]


def create_staff_account(identity: Identity, command: CreateStaffAccount) -> Account:
    roles = _staff_roles(command.roles)
    facility_ids = {f.strip() for f in command.facility_ids if f.strip()}
    if roles & _FACILITY_SCOPED and not facility_ids:
        raise InvalidArgument(
            "facility_required", "Facility officers and integrations act for at least one facility."
        )
    if facility_ids and not roles & _FACILITY_SCOPED:
        raise InvalidArgument(
            "facility_not_applicable", "Operators and auditors act for every facility; name none."
        )
    for facility_id in sorted(facility_ids):
        identity.facilities.settings(facility_id)  # NotFound if unknown

    def attempt() -> Account:
        account, claim = new_account(
            identity,
            command,
            address={},
            phone="",
            time_zone=_STAFF_TIME_ZONE,
            roles=roles,
            facility_ids=facility_ids,
            id_verification_required=False,
        )
        account.activate()
        identity.store.save(account, claim)
        return account

    return identity.retrying(attempt)


def _staff_roles(names: Sequence[str]) -> frozenset[Role]:
    if not names:
        raise InvalidArgument("roles_missing", "Give the account a role.")
    roles = set()
    for name in names:
        try:
            role = Role(name)
        except ValueError:
            raise InvalidArgument("role_unknown", f"No role {name!r}.") from None
        if role is Role.FAMILY_MEMBER:
            raise InvalidArgument("role_not_staff", "Family members register themselves.")
        roles.add(role)
    return frozenset(roles)
