"""What every part of the identity API shares: method names, the request fields refusals are
about, and messages to domain values."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import timestamp

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account import IdVerification

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["IdentityService"].full_name
ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")
_NAMES = ("first_name", "last_name", "legal_first_name", "legal_last_name")
_IDS = ("facility_id", "resident_id", "to_facility_id", "to_resident_id")

# The request field a refusal is about, by its code, as the requests of every part of the API
# name it; a method whose request names it otherwise says so where it calls its use case.
REQUEST_FIELDS = {
    **{f"{name}_{fault}": name for name in _NAMES for fault in ("missing", "too_long")},
    **{f"{name}_{fault}": name for name in _IDS for fault in ("missing", "invalid")},
    "email_invalid": "email",
    "email_taken": "email",
    "password_too_weak": "password",
    "password_incorrect": "password",
    "token_invalid": "token",
    "token_expired": "token",
    "phone_invalid": "phone",
    "time_zone_unknown": "time_zone",
    "address_incomplete": "address",
    "address_country_invalid": "address",
    "facility_not_found": "facility_id",
    "facility_out_of_scope": "facility_id",
    "page_size_invalid": "page_size",
    "page_token_invalid": "page_token",
}

_ACCOUNT_STATUS = proto_enum(AccountStatus, pb.AccountStatus)
_ID_VERIFICATION = proto_enum(IdVerification, pb.IdVerificationStatus, prefix="ID_VERIFICATION_")


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)


def address_of(message: pb.PostalAddress) -> Address:
    return {name: getattr(message, name).strip() for name in ADDRESS_FIELDS}


def address_message(address: Address) -> pb.PostalAddress:
    return pb.PostalAddress(**{name: address.get(name, "") for name in ADDRESS_FIELDS})


def account_message(account: Account) -> pb.Account:
    card_id = account.messaging_subscription_card_id
    return pb.Account(
        account_id=str(account.id),
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        address=address_message(account.address),
        phone=account.phone,
        time_zone=account.time_zone,
        status=_ACCOUNT_STATUS[account.status],
        # False: clients show the notice of requirements "Unsubscribed From Emails Pop-Up".
        email_subscribed=account.email_subscribed,
        id_verification=_ID_VERIFICATION[account.id_verification],
        roles=sorted(account.roles),
        facility_ids=sorted(account.facility_ids),
        messaging_subscription_card_id=str(card_id) if card_id else "",
        registered_at=timestamp(account.registered_at),
    )
