"""SubmitIdVerification: identity documents, SSN included, of the signed-in family member or of
the account an activation token names."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.auth import PUBLIC
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.grpc_helpers import request_fields

from kinlink_identity.entrypoints.accounts_api import client_address
from kinlink_identity.entrypoints.messages import REQUEST_FIELDS
from kinlink_identity.entrypoints.messages import account_message
from kinlink_identity.entrypoints.messages import address_of
from kinlink_identity.entrypoints.messages import method
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.submit_id_verification import SubmitIdVerification
from kinlink_identity.service_layer.submit_id_verification import submit_id_verification

_DOCUMENT_FIELDS = {
    **REQUEST_FIELDS,
    "ssn_invalid": "ssn",
    "date_of_birth_invalid": "date_of_birth",
    "under_age": "date_of_birth",
    "token_invalid": "activation_token",
    "token_expired": "activation_token",
}
# Public, because an account waiting for activation has no session; without an activation token
# the handler asks for a family member's.
ID_VERIFICATION_POLICY = {method("SubmitIdVerification"): PUBLIC}


class IdVerificationApi:
    identity: Identity

    async def SubmitIdVerification(
        self, request: pb.SubmitIdVerificationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        command = SubmitIdVerification(
            "" if request.activation_token else _family_member().account_id,
            legal_first_name=request.legal_first_name,
            legal_last_name=request.legal_last_name,
            date_of_birth=request.date_of_birth,
            address=address_of(request.address),
            ssn=request.ssn,
            activation_token=request.activation_token,
            client_address=client_address(context, self.identity.policy.trust_forwarded_for),
        )
        with request_fields(_DOCUMENT_FIELDS):
            account = await asyncio.to_thread(submit_id_verification, self.identity, command)
        return account_message(account)


def _family_member() -> Principal:
    principal = current_principal()
    if not principal.has(Role.FAMILY_MEMBER):
        raise PermissionDenied("role_not_allowed", "Only family members verify their identity.")
    return principal
