"""The first operator, named in the settings: someone has to create the other staff accounts.

Created at start when no account holds that address yet; left alone afterwards (its password is
then changed like anyone's). Replicas starting together may race: the loser finds it done.
"""

from __future__ import annotations

import contextlib

from kinlink_kit.auth import Role
from kinlink_kit.errors import AlreadyExists

from kinlink_identity.service_layer.create_staff_account import CreateStaffAccount
from kinlink_identity.service_layer.create_staff_account import create_staff_account
from kinlink_identity.service_layer.identity import Identity


def bootstrap_operator(identity: Identity, email: str, password: str) -> None:
    with contextlib.suppress(AlreadyExists):
        create_staff_account(
            identity,
            CreateStaffAccount(
                email=email,
                password=password,
                first_name="Kinlink",
                last_name="Operator",
                roles=[Role.OPERATOR.value],
                facility_ids=[],
            ),
        )
