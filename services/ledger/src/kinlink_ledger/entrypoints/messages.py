"""What the ledger's gRPC modules share: the service's name, the request fields refusals are
about, and message helpers."""

from __future__ import annotations

from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit import grpc_helpers
from kinlink_kit.grpc_helpers import timestamp

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["LedgerService"].full_name

# The request field a refusal is about, by its code, as every request naming it calls it; a
# method whose request names it otherwise says so where it calls its use case.
REQUEST_FIELDS = {
    **dict.fromkeys(
        ("facility_id_missing", "facility_not_found", "facility_out_of_scope"), "facility_id"
    ),
    # A quote's resident: ConfirmDeposit answers about the resident its quote named.
    **dict.fromkeys(
        ("resident_id_missing", "resident_not_found", "resident_released", "resident_transferred"),
        "resident_id",
    ),
    **dict.fromkeys(("depositor_id_missing", "depositor_not_caller"), "depositor_id"),
    **dict.fromkeys(
        ("amount_not_positive", "amount_above_largest_deposit", "amount_out_of_range"),
        "amount_cents",
    ),
    **dict.fromkeys(
        ("payment_method_missing", "payment_method_unknown", "payment_method_not_found"),
        "payment_method",
    ),
    **dict.fromkeys(("reference_missing", "reference_reused"), "reference"),
    **dict.fromkeys(("receipt_number_missing", "receipt_not_found"), "receipt_number"),
    **dict.fromkeys(("allowance_id_reused", "allowance_not_found"), "allowance_id"),
    "idempotency_key_missing": "idempotency_key",
    "quote_not_found": "quote_id",
    "deposit_not_found": "deposit_id",
    "funding_amount_not_offered": "funding_amount_cents",
    "kind_unknown": "kind",
    "quantity_out_of_range": "quantity",
    "items_missing": "items",
    "kind_repeated": "items",
    "charge_not_found": "reference",
    "reason_missing": "reason",
}


def method(name: str) -> str:
    return grpc_helpers.method(SERVICE_NAME, name)


__all__ = ["REQUEST_FIELDS", "SERVICE_NAME", "method", "timestamp"]
