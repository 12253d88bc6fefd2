"""Register: a family member signs up; the account waits for its activation link."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_kit.auth import Role

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account_details import checked_address
from kinlink_identity.domain.account_details import checked_phone
from kinlink_identity.domain.account_details import checked_time_zone
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.service_layer.emailed_links import issue_link
from kinlink_identity.service_layer.emailed_links import send
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.new_account import new_account


@dataclass(frozen=True)
class Register:
    email: str
    password: str
    first_name: str
    last_name: str
    address: Address
    phone: str
    time_zone: str
    # The facility the family member signs up for, if any: its ID-verification policy applies.
    facility_id: str = ""


def register(identity: Identity, command: Register) -> Account:
    address = checked_address(command.address)
    phone = checked_phone(command.phone)
    time_zone = checked_time_zone(command.time_zone)
    verification_required = bool(command.facility_id) and (
        identity.facilities.settings(command.facility_id).id_verification
        is IdVerificationPolicy.BEFORE_ACTIVATION
    )

    def attempt() -> tuple[Account, Email]:
        account, claim = new_account(
            identity,
            command,
            address=address,
            phone=phone,
            time_zone=time_zone,
            roles=[Role.FAMILY_MEMBER],
            facility_ids=[],
            id_verification_required=verification_required,
        )
        token, activation = issue_link(identity, account, TokenPurpose.ACTIVATION)
        identity.store.save(account, claim, token)
        return account, activation

    # Of two sign-ups with one address at once, the second finds it taken when it reads again.
    account, activation = identity.retrying(attempt)
    send(identity, activation)
    return account
