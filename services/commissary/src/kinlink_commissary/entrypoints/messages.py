"""What every part of the commissary API shares: the service's name, method names and the
request fields refusals are about."""

from __future__ import annotations

from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink_kit import grpc_helpers

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["CommissaryService"].full_name

# The request field a refusal is about, by its code, as every request naming it calls it.
REQUEST_FIELDS = {
    **dict.fromkeys(
        ("facility_id_missing", "facility_not_found", "facility_out_of_scope"), "facility_id"
    ),
    **dict.fromkeys(
        ("resident_id_missing", "resident_not_found", "resident_released"), "resident_id"
    ),
    "page_size_invalid": "page_size",
    "page_token_invalid": "page_token",
}


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)
