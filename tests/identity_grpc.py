"""What tests of identity's gRPC API share: the statuses, a family member's details, requests
and callers (staff of any role, an operator configuring a facility)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub as Stub
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_kit.auth import Role

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
NOT_FOUND = grpc.StatusCode.NOT_FOUND

EMAIL = "grace.family@example.com"
PASSWORD = "a long family passphrase"
HOME = pb.PostalAddress(
    line1="12 Elm Street", city="Springfield", region="IL", postal_code="62701", country="US"
)
CARD_NUMBER = "4242 4242 4242 4242"
SSN = "572-81-9364"
ANONYMOUS: Metadata = []


def staff(token_keys: TokenKeys, role: Role, facilities: tuple[str, ...] = ()) -> Metadata:
    """A signed-in principal with `role` (role checks need no account behind it)."""
    return bearer(token_keys.token(str(uuid4()), role, facilities=facilities))


def facility_settings(**changes: Any) -> pb.FacilitySettings:
    settings = FacilitySettings(
        name="Springfield County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=300),),
        **changes,
    )
    return settings_message(settings)


async def configure(
    stub: Stub, token_keys: TokenKeys, facility_id: str, **changes: Any
) -> pb.Facility:
    """The facility configured by an operator, over gRPC."""
    request = pb.ConfigureFacilityRequest(
        facility_id=facility_id, settings=facility_settings(**changes)
    )
    return await stub.ConfigureFacility(request, metadata=staff(token_keys, Role.OPERATOR))


def registration(email: str = EMAIL, **changes: Any) -> pb.RegisterRequest:
    fields: dict[str, Any] = {
        "email": email,
        "password": PASSWORD,
        "first_name": "Grace",
        "last_name": "Family",
        "address": HOME,
        "phone": "+13125550100",
        "time_zone": "America/Chicago",
    }
    return pb.RegisterRequest(**{**fields, **changes})


def log_in(email: str = EMAIL) -> pb.LogInRequest:
    return pb.LogInRequest(email=email, password=PASSWORD)


def documents(activation_token: str = "") -> pb.SubmitIdVerificationRequest:
    return pb.SubmitIdVerificationRequest(
        legal_first_name="Grace",
        legal_last_name="Family",
        date_of_birth="1979-03-14",
        address=HOME,
        ssn=SSN,
        activation_token=activation_token,
    )
