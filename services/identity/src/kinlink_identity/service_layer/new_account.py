"""What every new account needs, a family member's or a staff member's: an email address no
other account holds, a strong password (stored hashed) and a name."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from kinlink_kit.auth import Role

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account_details import checked_name
from kinlink_identity.domain.email_address import normalize_email
from kinlink_identity.domain.email_claim import EmailClaim
from kinlink_identity.domain.password_rules import check_password_strength
from kinlink_identity.service_layer.email_claims import check_email_free
from kinlink_identity.service_layer.email_claims import claim_email
from kinlink_identity.service_layer.identity import Identity


class NewPerson(Protocol):
    """What a request to open an account says of the person (registering, or an operator
    creating a staff account)."""

    @property
    def email(self) -> str: ...

    @property
    def password(self) -> str: ...

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...


def new_account(
    identity: Identity,
    person: NewPerson,
    *,
    address: Address,
    phone: str,
    time_zone: str,
    roles: Collection[Role],
    facility_ids: Collection[str],
    id_verification_required: bool,
) -> tuple[Account, EmailClaim]:
    """The account and the claim on its address, to be saved together."""
    email = normalize_email(person.email)
    check_password_strength(person.password)
    first_name = checked_name(person.first_name, "first_name")
    last_name = checked_name(person.last_name, "last_name")
    # Hashing is deliberately slow: refuse a taken address before spending the time.
    check_email_free(identity, email)
    account = Account(
        email=email,
        password_hash=identity.passwords.hash(person.password),
        first_name=first_name,
        last_name=last_name,
        address=address,
        phone=phone,
        time_zone=time_zone,
        roles=sorted(role.value for role in roles),
        facility_ids=sorted(facility_ids),
        registered_at=identity.clock(),
        id_verification_required=id_verification_required,
    )
    return account, claim_email(identity, email, account.id)
