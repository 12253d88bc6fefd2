"""What every part of the commissary API shares: the service's name, method names and the
request fields refusals are about."""

from __future__ import annotations

from uuid import UUID

from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["CommissaryService"].full_name

# The request field a refusal is about, by its code, as every request naming it calls it.
REQUEST_FIELDS = {
    **dict.fromkeys(
        ("facility_id_missing", "facility_not_found", "facility_out_of_scope"), "facility_id"
    ),
    **dict.fromkeys(
        ("resident_id_missing", "resident_not_found", "resident_released"), "resident_id"
    ),
    **dict.fromkeys(("amount_not_positive", "amount_out_of_range"), "amount_cents"),
    # The ledger's refusals of the card, passed on.
    **dict.fromkeys(
        ("payment_method_missing", "payment_method_unknown", "payment_method_not_found"),
        "payment_method",
    ),
    **dict.fromkeys(("allowance_id_reused", "allowance_not_found"), "allowance_id"),
    "commissary_unavailable": "facility_id",
    "page_size_invalid": "page_size",
    "page_token_invalid": "page_token",
}


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)


def caller_account() -> UUID:
    """The signed-in family member's account."""
    return parse_id(current_principal().account_id, "account_id")
