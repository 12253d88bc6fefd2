"""Staff accounts named in the settings, created at start: the first operator (someone has to
create the other staff accounts), and the accounts Kinlink's own services sign in with to call
each other (role platform_service, decision 0033).

Each is created when no account holds its address yet, and left alone afterwards (its password
is then changed like anyone's). Replicas starting together may race: the loser finds it done.
"""

from __future__ import annotations

import contextlib

from kinlink_kit.auth import Role
from kinlink_kit.errors import AlreadyExists

from kinlink_identity.service_layer.create_staff_account import CreateStaffAccount
from kinlink_identity.service_layer.create_staff_account import create_staff_account
from kinlink_identity.service_layer.identity import Identity


def bootstrap_operator(identity: Identity, email: str, password: str) -> None:
    _bootstrap(identity, email, password, Role.OPERATOR, "Operator")


def bootstrap_service_account(identity: Identity, email: str, password: str) -> None:
    _bootstrap(identity, email, password, Role.PLATFORM_SERVICE, "Service")


def _bootstrap(identity: Identity, email: str, password: str, role: Role, name: str) -> None:
    with contextlib.suppress(AlreadyExists):
        create_staff_account(
            identity,
            CreateStaffAccount(
                email=email,
                password=password,
                first_name="Kinlink",
                last_name=name,
                roles=[role.value],
                facility_ids=[],
            ),
        )
