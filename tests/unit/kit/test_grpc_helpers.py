"""The kit's gRPC helpers: ids parsed from request fields, refusals named by field, domain enums
as proto enums."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from enum import Enum
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.grpc_helpers import method
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp


def test_an_id_is_parsed_from_its_field() -> None:
    raw = "0b6e8c1e-5c35-4d8e-9a57-2d6f4b4f7a10"
    assert parse_id(f" {raw} ", "quote_id") == UUID(raw)


@pytest.mark.parametrize("raw", ["", "nope", "0b6e8c1e-5c35-4d8e-9a57"])
def test_a_malformed_id_is_refused_naming_its_field(raw: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        parse_id(raw, "allowance_id")
    assert (refused.value.code, refused.value.field) == ("allowance_id_invalid", "allowance_id")
    assert refused.value.message == "This is not a valid allowance id."


def test_a_domain_refusal_gets_the_field_the_entrypoint_names() -> None:
    with pytest.raises(NotFound) as refused, request_fields(card_not_found="card_id"):
        raise NotFound("card_not_found", "No such card.")
    assert refused.value.field == "card_id"


def test_what_one_method_names_wins_over_the_shared_table() -> None:
    shared = {"email_invalid": "email", "email_taken": "email"}
    with (
        pytest.raises(InvalidArgument) as refused,
        request_fields(shared, email_invalid="new_email"),
    ):
        raise InvalidArgument("email_invalid", "Not an email address.")
    assert refused.value.field == "new_email"
    with pytest.raises(AlreadyExists) as taken, request_fields(shared, email_invalid="new_email"):
        raise AlreadyExists("email_taken", "Taken.")
    assert taken.value.field == "email"


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (NotFound("card_not_found", "No such card.", field="payment_method"), "payment_method"),
        (NotFound("account_not_found", "No such account."), None),
    ],
)
def test_a_refusal_naming_a_field_or_another_code_is_left_alone(
    error: ClientError, field: str | None
) -> None:
    with pytest.raises(NotFound) as refused, request_fields(card_not_found="card_id"):
        raise error
    assert refused.value.field == field


def test_method_names_and_timestamps() -> None:
    assert method("kinlink.ledger.v1.LedgerService", "Charge") == (
        "/kinlink.ledger.v1.LedgerService/Charge"
    )
    at = datetime(2026, 11, 25, 18, 0, 1, 250_000, tzinfo=UTC)
    assert timestamp(at).ToDatetime(tzinfo=UTC) == at


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 3, 8, 2, 30, 0, 999_999, tzinfo=ZoneInfo("America/Chicago")),
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 11, 25, 18, 0, 1, 1),  # naive: taken as UTC
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=timezone(timedelta(hours=-7))),
    ],
)
def test_timestamps_are_the_ones_protobuf_makes(at: datetime) -> None:
    made_by_protobuf = Timestamp()
    made_by_protobuf.FromDatetime(at)
    assert timestamp(at) == made_by_protobuf


class Status(Enum):
    PENDING = "pending"
    CAPTURED = "captured"
    DECLINED = "declined"
    POSTED = "posted"


def test_a_domain_enum_maps_to_the_proto_values_of_the_same_names() -> None:
    assert proto_enum(Status, ledger_pb.DepositStatus) == {
        Status.PENDING: ledger_pb.DEPOSIT_STATUS_PENDING,
        Status.CAPTURED: ledger_pb.DEPOSIT_STATUS_CAPTURED,
        Status.DECLINED: ledger_pb.DEPOSIT_STATUS_DECLINED,
        Status.POSTED: ledger_pb.DEPOSIT_STATUS_POSTED,
    }


def test_a_state_clients_do_not_see_is_shown_as_another() -> None:
    ending = Enum("Ending", {"AUTHORIZED": 1, "ENDING": 2})
    mapped = proto_enum(ending, ledger_pb.AllowanceStatus, ENDING="AUTHORIZED")
    assert set(mapped.values()) == {ledger_pb.ALLOWANCE_STATUS_AUTHORIZED}


def test_a_domain_state_the_proto_lacks_fails_at_once() -> None:
    lost = Enum("Lost", {"PENDING": 1, "LOST_IN_THE_MAIL": 2})
    with pytest.raises(ValueError, match="DEPOSIT_STATUS_LOST_IN_THE_MAIL"):
        proto_enum(lost, ledger_pb.DepositStatus)
