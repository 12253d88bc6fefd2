"""kinlink.identity.v1.IdentityService over gRPC, one module per part of the service."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2_grpc

from kinlink_identity.entrypoints.accounts_api import ACCOUNTS_POLICY
from kinlink_identity.entrypoints.accounts_api import AccountsApi
from kinlink_identity.entrypoints.cards_api import CARDS_POLICY
from kinlink_identity.entrypoints.cards_api import CardsApi
from kinlink_identity.entrypoints.facilities_api import FACILITIES_POLICY
from kinlink_identity.entrypoints.facilities_api import FacilitiesApi
from kinlink_identity.entrypoints.id_verification_api import ID_VERIFICATION_POLICY
from kinlink_identity.entrypoints.id_verification_api import IdVerificationApi
from kinlink_identity.entrypoints.messages import SERVICE_NAME
from kinlink_identity.entrypoints.residents_api import RESIDENTS_POLICY
from kinlink_identity.entrypoints.residents_api import ResidentsApi
from kinlink_identity.service_layer.identity import Identity

__all__ = ["ACCESS_POLICY", "SERVICE_NAME", "IdentityServicer"]

ACCESS_POLICY = {
    **ACCOUNTS_POLICY,
    **CARDS_POLICY,
    **FACILITIES_POLICY,
    **ID_VERIFICATION_POLICY,
    **RESIDENTS_POLICY,
}


class IdentityServicer(
    AccountsApi,
    CardsApi,
    FacilitiesApi,
    IdVerificationApi,
    ResidentsApi,
    identity_pb2_grpc.IdentityServiceServicer,
):
    """Use cases are synchronous (the event store is); they run in worker threads."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity
