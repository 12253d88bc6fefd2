"""Each refusal of the identity API names the request field it is about: the domain refuses with a
stable code and knows no request, the entrypoint names the field (ErrorInfo and BadRequest). On
SQLite and on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc
import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub as Stub
from kinlink_kit.auth import Role
from kinlink_kit.testing import refused_over_grpc

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.identity_grpc import EMAIL
from tests.identity_grpc import FAILED_PRECONDITION
from tests.identity_grpc import HOME
from tests.identity_grpc import INVALID_ARGUMENT
from tests.identity_grpc import NOT_FOUND
from tests.identity_grpc import PASSWORD
from tests.identity_grpc import PERMISSION_DENIED
from tests.identity_grpc import configure
from tests.identity_grpc import documents
from tests.identity_grpc import log_in
from tests.identity_grpc import registration
from tests.identity_grpc import staff
from tests.integration.identity.conftest import RecordingMailer

ALREADY_EXISTS = grpc.StatusCode.ALREADY_EXISTS
OTHER_EMAIL = "bob.family@example.com"
INCOMPLETE = pb.PostalAddress(line1="12 Elm Street", region="IL", postal_code="62701", country="US")


async def family_member(stub: Stub, mailer: RecordingMailer, email: str = EMAIL) -> Metadata:
    """A registered, activated and signed-in family member's credentials."""
    await stub.Register(registration(email))
    await stub.Activate(pb.TokenRequest(token=mailer.last_token(email)))
    return bearer((await stub.LogIn(log_in(email))).access_token)


@pytest.mark.parametrize(
    ("changes", "status", "reason", "field"),
    [
        ({"first_name": " "}, INVALID_ARGUMENT, "first_name_missing", "first_name"),
        ({"last_name": "L" * 101}, INVALID_ARGUMENT, "last_name_too_long", "last_name"),
        ({"phone": "555-0100"}, INVALID_ARGUMENT, "phone_invalid", "phone"),
        ({"time_zone": "Central"}, INVALID_ARGUMENT, "time_zone_unknown", "time_zone"),
        ({"address": INCOMPLETE}, INVALID_ARGUMENT, "address_incomplete", "address"),
        ({"facility_id": "FAC-NOWHERE"}, NOT_FOUND, "facility_not_found", "facility_id"),
    ],
)
async def test_a_registration_names_the_detail_at_fault(
    stub: Stub, changes: dict[str, object], status: grpc.StatusCode, reason: str, field: str
) -> None:
    await refused_over_grpc(stub.Register(registration(**changes)), status, reason, field)


async def test_links_and_passwords_name_their_fields(stub: Stub, mailer: RecordingMailer) -> None:
    await stub.Register(registration())
    await refused_over_grpc(stub.Register(registration()), ALREADY_EXISTS, "email_taken", "email")
    await refused_over_grpc(
        stub.Activate(pb.TokenRequest(token="nope")), INVALID_ARGUMENT, "token_invalid", "token"
    )
    await refused_over_grpc(
        stub.LogIn(log_in("grace@")), INVALID_ARGUMENT, "email_invalid", "email"
    )
    reset = pb.ResetPasswordRequest(token="nope", new_password="short")
    await refused_over_grpc(
        stub.ResetPassword(reset), INVALID_ARGUMENT, "password_too_weak", "new_password"
    )
    reset.new_password = PASSWORD
    await refused_over_grpc(stub.ResetPassword(reset), INVALID_ARGUMENT, "token_invalid", "token")


async def test_an_account_holder_is_told_which_field_to_fix(
    stub: Stub, mailer: RecordingMailer
) -> None:
    signed_in = await family_member(stub, mailer)
    other = await stub.Register(registration(OTHER_EMAIL))

    def edit(fields: list[str], **values: str) -> Awaitable[object]:
        request = pb.EditAccountRequest(fields=fields, **values)
        return stub.EditAccount(request, metadata=signed_in)

    await refused_over_grpc(edit([]), INVALID_ARGUMENT, "fields_missing", "fields")
    await refused_over_grpc(edit(["email"]), INVALID_ARGUMENT, "field_not_editable", "fields")
    await refused_over_grpc(
        edit(["phone"], phone="call me"), INVALID_ARGUMENT, "phone_invalid", "phone"
    )

    def change_email(new_email: str, password: str = PASSWORD) -> Awaitable[object]:
        request = pb.RequestEmailChangeRequest(new_email=new_email, password=password)
        return stub.RequestEmailChange(request, metadata=signed_in)

    await refused_over_grpc(change_email("grace@"), INVALID_ARGUMENT, "email_invalid", "new_email")
    await refused_over_grpc(change_email(EMAIL), INVALID_ARGUMENT, "email_unchanged", "new_email")
    await refused_over_grpc(change_email(OTHER_EMAIL), ALREADY_EXISTS, "email_taken", "new_email")
    await refused_over_grpc(
        change_email("grace.new@example.com", "wrong" * 3),
        INVALID_ARGUMENT,
        "password_incorrect",
        "password",
    )
    await refused_over_grpc(
        stub.CloseAccount(pb.CloseAccountRequest(password="wrong" * 3), metadata=signed_in),
        INVALID_ARGUMENT,
        "password_incorrect",
        "password",
    )
    await refused_over_grpc(
        stub.GetAccount(pb.GetAccountRequest(account_id=other.account_id), metadata=signed_in),
        PERMISSION_DENIED,
        "account_out_of_scope",
        "account_id",
    )

    # Someone took the new address after the link was sent: the link is what no longer works.
    await change_email("grace.new@example.com")
    link = mailer.last_token("grace.new@example.com")
    await stub.Register(registration("grace.new@example.com"))
    await refused_over_grpc(
        stub.ConfirmEmailChange(pb.TokenRequest(token=link)),
        ALREADY_EXISTS,
        "email_taken",
        "token",
    )


async def test_a_card_refusal_names_the_card_field(stub: Stub, mailer: RecordingMailer) -> None:
    signed_in = await family_member(stub, mailer)

    def add(payment_method: str, address: pb.PostalAddress = HOME) -> Awaitable[pb.Card]:
        request = pb.AddCardRequest(payment_method=payment_method, billing_address=address)
        return stub.AddCard(request, metadata=signed_in)

    await refused_over_grpc(add(" "), INVALID_ARGUMENT, "payment_method_missing", "payment_method")
    await refused_over_grpc(
        add("pm_card_mastercard_prepaid"),
        INVALID_ARGUMENT,
        "prepaid_not_supported",
        "payment_method",
    )
    await refused_over_grpc(
        add("pm_card_visa", INCOMPLETE), INVALID_ARGUMENT, "address_incomplete", "billing_address"
    )
    card = await add("pm_card_visa")

    def edit(**values: int) -> Awaitable[pb.Card]:
        request = pb.EditCardRequest(card_id=card.card_id, fields=list(values), **values)
        return stub.EditCard(request, metadata=signed_in)

    await refused_over_grpc(edit(exp_month=13), INVALID_ARGUMENT, "exp_month_invalid", "exp_month")
    await refused_over_grpc(edit(exp_year=2001), INVALID_ARGUMENT, "card_expired", "exp_year")

    funding = pb.AddCardRequest(
        payment_method="pm_card_visa", billing_address=HOME, fund_messaging_subscription=True
    )
    funding_card = await stub.AddCard(funding, metadata=signed_in)
    await refused_over_grpc(
        stub.RemoveCard(pb.RemoveCardRequest(card_id=funding_card.card_id), metadata=signed_in),
        FAILED_PRECONDITION,
        "card_funds_messaging_subscription",
        "card_id",
    )


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"ssn": "000-12-3456"}, "ssn_invalid", "ssn"),
        ({"date_of_birth": "2020-02-30"}, "date_of_birth_invalid", "date_of_birth"),
        ({"date_of_birth": "2015-01-01"}, "under_age", "date_of_birth"),
        ({"legal_first_name": ""}, "legal_first_name_missing", "legal_first_name"),
        ({"address": INCOMPLETE}, "address_incomplete", "address"),
    ],
)
async def test_identity_documents_name_the_document_at_fault(
    stub: Stub, mailer: RecordingMailer, changes: dict[str, object], reason: str, field: str
) -> None:
    signed_in = await family_member(stub, mailer)
    request = documents()
    for name, value in changes.items():
        if isinstance(value, pb.PostalAddress):
            getattr(request, name).CopyFrom(value)
        else:
            setattr(request, name, value)
    await refused_over_grpc(
        stub.SubmitIdVerification(request, metadata=signed_in), INVALID_ARGUMENT, reason, field
    )


async def test_facility_and_staff_refusals_name_their_fields(
    stub: Stub, mailer: RecordingMailer, token_keys: TokenKeys
) -> None:
    operator = staff(token_keys, Role.OPERATOR)
    await refused_over_grpc(
        stub.GetFacility(pb.GetFacilityRequest(facility_id="FAC-NOWHERE")),
        NOT_FOUND,
        "facility_not_found",
        "facility_id",
    )
    await refused_over_grpc(
        stub.GetFacility(pb.GetFacilityRequest(facility_id="FAC A")),
        INVALID_ARGUMENT,
        "facility_id_invalid",
        "facility_id",
    )
    await refused_over_grpc(
        stub.ConfigureFacility(pb.ConfigureFacilityRequest(facility_id=" "), metadata=operator),
        INVALID_ARGUMENT,
        "facility_id_missing",
        "facility_id",
    )

    def create(roles: list[str], facility_ids: tuple[str, ...] = ()) -> Awaitable[pb.Account]:
        request = pb.CreateStaffAccountRequest(
            email="officer@example.com",
            password=PASSWORD,
            first_name="Olive",
            last_name="Officer",
            roles=roles,
            facility_ids=facility_ids,
        )
        return stub.CreateStaffAccount(request, metadata=operator)

    await refused_over_grpc(create([]), INVALID_ARGUMENT, "roles_missing", "roles")
    await refused_over_grpc(create(["janitor"]), INVALID_ARGUMENT, "role_unknown", "roles")
    await refused_over_grpc(
        create(["facility_officer"]), INVALID_ARGUMENT, "facility_required", "facility_ids"
    )
    await refused_over_grpc(
        create(["facility_officer"], ("FAC-NOWHERE",)),
        NOT_FOUND,
        "facility_not_found",
        "facility_ids",
    )
    family = await stub.Register(registration())
    await refused_over_grpc(
        stub.CloseStaffAccount(
            pb.CloseStaffAccountRequest(account_id=family.account_id), metadata=operator
        ),
        FAILED_PRECONDITION,
        "not_a_staff_account",
        "account_id",
    )


async def test_a_transfer_tells_the_destination_from_the_source(
    stub: Stub, token_keys: TokenKeys
) -> None:
    await configure(stub, token_keys, "FAC-A")
    await configure(stub, token_keys, "FAC-B")
    operator = staff(token_keys, Role.OPERATOR)
    officer = staff(token_keys, Role.FACILITY_OFFICER, facilities=("FAC-A",))

    def book(facility_id: str, resident_id: str, first_name: str = "Ada") -> Awaitable[object]:
        request = pb.BookResidentRequest(
            facility_id=facility_id,
            resident_id=resident_id,
            first_name=first_name,
            last_name="Lovelace",
        )
        return stub.BookResident(request, metadata=operator)

    def transfer(
        resident_id: str, to_facility_id: str, to_resident_id: str = "", caller: Metadata = operator
    ) -> Awaitable[object]:
        request = pb.TransferResidentRequest(
            facility_id="FAC-A",
            resident_id=resident_id,
            to_facility_id=to_facility_id,
            to_resident_id=to_resident_id,
        )
        return stub.TransferResident(request, metadata=caller)

    await book("FAC-A", "R-1")
    await book("FAC-B", "R-9")
    await refused_over_grpc(
        book("FAC-A", "R-1"), ALREADY_EXISTS, "resident_already_booked", "resident_id"
    )
    await refused_over_grpc(
        book("FAC-A", "R 2"), INVALID_ARGUMENT, "resident_id_invalid", "resident_id"
    )
    await refused_over_grpc(
        book("FAC-A", "R-2", " "), INVALID_ARGUMENT, "first_name_missing", "first_name"
    )
    await refused_over_grpc(
        book("FAC-NOWHERE", "R-2"), NOT_FOUND, "facility_not_found", "facility_id"
    )

    await refused_over_grpc(
        transfer("R-7", "FAC-B"), NOT_FOUND, "resident_not_found", "resident_id"
    )
    await refused_over_grpc(
        transfer("R-1", "FAC-NOWHERE"), NOT_FOUND, "facility_not_found", "to_facility_id"
    )
    await refused_over_grpc(
        transfer("R-1", "FAC-A"), INVALID_ARGUMENT, "transfer_to_same_facility", "to_facility_id"
    )
    await refused_over_grpc(
        transfer("R-1", "FAC-B", "R 9"),
        INVALID_ARGUMENT,
        "to_resident_id_invalid",
        "to_resident_id",
    )
    await refused_over_grpc(
        transfer("R-1", "FAC-B", "R-9"),
        ALREADY_EXISTS,
        "resident_already_booked",
        "to_resident_id",
    )
    await refused_over_grpc(
        transfer("R-1", "FAC-B", caller=officer),
        PERMISSION_DENIED,
        "to_facility_out_of_scope",
        "to_facility_id",
    )
    await stub.ReleaseResident(
        pb.ReleaseResidentRequest(facility_id="FAC-A", resident_id="R-1"), metadata=operator
    )
    await refused_over_grpc(
        transfer("R-1", "FAC-B"), FAILED_PRECONDITION, "resident_not_in_custody", "resident_id"
    )
