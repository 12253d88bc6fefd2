"""The identity service over gRPC, as a client integrating with it relies on: which calls need a
token and which roles, statuses with their stable ErrorInfo reason and the BadRequest field, and
a family member's whole journey from registration to a refreshed session. On SQLite and on the
real PostgreSQL.

Access tokens are checked against the real clock, so the service keeps its own clock here."""

from __future__ import annotations

from uuid import uuid4

import grpc
import pytest
from google.protobuf.message import Message
from grpc_status import rpc_status
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub as Stub
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_kit.auth import Role
from kinlink_kit.testing import refusal_of
from kinlink_kit.testing import refused_over_grpc

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.identity_grpc import ANONYMOUS
from tests.identity_grpc import CARD_NUMBER
from tests.identity_grpc import EMAIL
from tests.identity_grpc import FAILED_PRECONDITION
from tests.identity_grpc import HOME
from tests.identity_grpc import INVALID_ARGUMENT
from tests.identity_grpc import NOT_FOUND
from tests.identity_grpc import PASSWORD
from tests.identity_grpc import PERMISSION_DENIED
from tests.identity_grpc import UNAUTHENTICATED
from tests.identity_grpc import configure
from tests.identity_grpc import documents
from tests.identity_grpc import facility_settings
from tests.identity_grpc import log_in
from tests.identity_grpc import registration
from tests.identity_grpc import staff
from tests.integration.identity.conftest import RecordingMailer

# --- anonymous calls --------------------------------------------------------------------------


async def test_signing_up_and_reading_facilities_need_no_token(
    stub: Stub, mailer: RecordingMailer, token_keys: TokenKeys
) -> None:
    await configure(stub, token_keys, "FAC-A")

    registered = await stub.Register(registration(), metadata=ANONYMOUS)
    assert registered.status == pb.ACCOUNT_STATUS_PENDING_ACTIVATION
    activated = await stub.Activate(pb.TokenRequest(token=mailer.last_token(EMAIL)))
    assert activated.status == pb.ACCOUNT_STATUS_ACTIVE
    session = await stub.LogIn(log_in(), metadata=ANONYMOUS)
    assert session.account.account_id == registered.account_id

    facility = await stub.GetFacility(pb.GetFacilityRequest(facility_id="FAC-A"))
    assert (facility.facility_id, facility.settings.name) == ("FAC-A", "Springfield County Jail")
    listed = await stub.ListFacilities(pb.ListFacilitiesRequest(), metadata=ANONYMOUS)
    assert [f.facility_id for f in listed.facilities] == ["FAC-A"]

    # A stale token left in a client's session does not stop it from signing in again.
    stale = bearer("not.a.token")
    assert (await stub.LogIn(log_in(), metadata=stale)).access_token
    again = await stub.GetFacility(pb.GetFacilityRequest(facility_id="FAC-A"), metadata=stale)
    assert again.facility_id == "FAC-A"


PROTECTED_CALLS: dict[str, Message] = {
    "SearchResidents": pb.SearchResidentsRequest(last_name="Lovelace"),
    "AddCard": pb.AddCardRequest(payment_method="pm_card_visa", billing_address=HOME),
    "ConfigureFacility": pb.ConfigureFacilityRequest(
        facility_id="FAC-A", settings=facility_settings()
    ),
    "GetAccount": pb.GetAccountRequest(),
}


@pytest.mark.parametrize("method", PROTECTED_CALLS)
async def test_protected_calls_need_a_valid_token(stub: Stub, method: str) -> None:
    call = getattr(stub, method)
    request = PROTECTED_CALLS[method]
    await refused_over_grpc(call(request, metadata=ANONYMOUS), UNAUTHENTICATED, "token_missing")
    garbage = bearer("not.a.token")
    await refused_over_grpc(call(request, metadata=garbage), UNAUTHENTICATED, "invalid_token")


# --- roles ------------------------------------------------------------------------------------


STAFF_CALLS: dict[str, Message] = {
    "ConfigureFacility": pb.ConfigureFacilityRequest(
        facility_id="FAC-A", settings=facility_settings()
    ),
    "CreateStaffAccount": pb.CreateStaffAccountRequest(
        email="officer@example.com",
        password=PASSWORD,
        first_name="Olive",
        last_name="Officer",
        roles=[Role.FACILITY_OFFICER.value],
        facility_ids=["FAC-A"],
    ),
    "BookResident": pb.BookResidentRequest(
        facility_id="FAC-A", resident_id="R-1", first_name="Ada", last_name="Lovelace"
    ),
    "CloseStaffAccount": pb.CloseStaffAccountRequest(account_id=str(uuid4())),
}


@pytest.mark.parametrize("method", STAFF_CALLS)
async def test_a_family_member_cannot_do_staff_work(
    stub: Stub, token_keys: TokenKeys, method: str
) -> None:
    await configure(stub, token_keys, "FAC-A")
    family = token_keys.family(str(uuid4()))
    call = getattr(stub, method)(STAFF_CALLS[method], metadata=family)
    await refused_over_grpc(call, PERMISSION_DENIED, "role_not_allowed")


async def test_an_auditor_cannot_add_a_card(stub: Stub, token_keys: TokenKeys) -> None:
    request = pb.AddCardRequest(payment_method="pm_card_visa", billing_address=HOME)
    call = stub.AddCard(request, metadata=staff(token_keys, Role.AUDITOR))
    await refused_over_grpc(call, PERMISSION_DENIED, "role_not_allowed")


async def test_an_officer_books_residents_only_at_their_own_facility(
    stub: Stub, token_keys: TokenKeys
) -> None:
    await configure(stub, token_keys, "FAC-A")
    await configure(stub, token_keys, "FAC-B")
    officer = staff(token_keys, Role.FACILITY_OFFICER, facilities=("FAC-A",))

    def booking(facility_id: str) -> pb.BookResidentRequest:
        return pb.BookResidentRequest(
            facility_id=facility_id, resident_id="R-1", first_name="Ada", last_name="Lovelace"
        )

    await refused_over_grpc(
        stub.BookResident(booking("FAC-B"), metadata=officer),
        PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    booked = await stub.BookResident(booking("FAC-A"), metadata=officer)
    assert (booked.facility_id, booked.resident_id, booked.status) == (
        "FAC-A",
        "R-1",
        pb.RESIDENT_STATUS_IN_CUSTODY,
    )


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"email": "grace.family@"}, "email_invalid", "email"),
        ({"password": "short"}, "password_too_weak", "password"),
    ],
    ids=["malformed email", "weak password"],
)
async def test_registration_names_the_field_at_fault(
    stub: Stub, changes: dict[str, str], reason: str, field: str
) -> None:
    await refused_over_grpc(stub.Register(registration(**changes)), INVALID_ARGUMENT, reason, field)


async def test_an_unknown_time_zone_names_the_setting(stub: Stub, token_keys: TokenKeys) -> None:
    settings = facility_settings()
    settings.time_zone = "Mars/Olympus_Mons"
    request = pb.ConfigureFacilityRequest(facility_id="FAC-A", settings=settings)
    await refused_over_grpc(
        stub.ConfigureFacility(request, metadata=staff(token_keys, Role.OPERATOR)),
        INVALID_ARGUMENT,
        "facility_settings_invalid",
        "settings.time_zone",
    )


async def test_a_video_price_above_the_fcc_cap_names_the_price(
    stub: Stub, token_keys: TokenKeys
) -> None:
    settings = facility_settings()
    settings.facility_kind = "prison"
    settings.video_price_per_minute_cents = 17  # a prison's cap is 16 cents
    request = pb.ConfigureFacilityRequest(facility_id="FAC-A", settings=settings)
    await refused_over_grpc(
        stub.ConfigureFacility(request, metadata=staff(token_keys, Role.OPERATOR)),
        INVALID_ARGUMENT,
        "video_price_above_cap",
        "settings.video_price_per_minute_cents",
    )
    settings.video_price_per_minute_cents = 16
    configured = await stub.ConfigureFacility(
        pb.ConfigureFacilityRequest(facility_id="FAC-A", settings=settings),
        metadata=staff(token_keys, Role.OPERATOR),
    )
    assert (
        configured.settings.facility_kind,
        configured.settings.video_price_per_minute_cents,
    ) == (
        "prison",
        16,
    )


async def test_a_resident_search_needs_four_letters_of_the_last_name(
    stub: Stub, token_keys: TokenKeys
) -> None:
    request = pb.SearchResidentsRequest(last_name="Lov")
    await refused_over_grpc(
        stub.SearchResidents(request, metadata=token_keys.family(str(uuid4()))),
        INVALID_ARGUMENT,
        "last_name_too_short",
        "last_name",
    )


async def test_a_card_number_is_refused_and_never_echoed(
    stub: Stub, mailer: RecordingMailer
) -> None:
    await stub.Register(registration())
    await stub.Activate(pb.TokenRequest(token=mailer.last_token(EMAIL)))
    family = bearer((await stub.LogIn(log_in())).access_token)

    request = pb.AddCardRequest(payment_method=CARD_NUMBER, billing_address=HOME)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.AddCard(request, metadata=family)
    refusal = refusal_of(caught.value)
    assert (refusal.status, refusal.reason, refusal.field) == (
        INVALID_ARGUMENT,
        "payment_method_not_a_token",
        "payment_method",
    )
    status = rpc_status.from_call(caught.value)  # type: ignore[arg-type]
    assert status is not None
    everything_sent_back = (refusal.message, str(status), str(caught.value.trailing_metadata()))
    for text in everything_sent_back:
        assert CARD_NUMBER not in text and CARD_NUMBER.replace(" ", "") not in text
        assert "4242" not in text
    assert not (await stub.ListCards(pb.ListCardsRequest(), metadata=family)).cards


# --- a family member's journey ----------------------------------------------------------------


async def test_a_family_member_signs_up_and_keeps_a_session_over_grpc(
    stub: Stub, mailer: RecordingMailer
) -> None:
    registered = await stub.Register(registration())
    assert (registered.email, registered.roles) == (EMAIL, [Role.FAMILY_MEMBER.value])
    activated = await stub.Activate(pb.TokenRequest(token=mailer.last_token(EMAIL)))
    assert activated.status == pb.ACCOUNT_STATUS_ACTIVE

    session = await stub.LogIn(log_in())
    assert session.access_token and session.refresh_token
    assert session.access_token_expires_at.seconds < session.refresh_token_expires_at.seconds
    assert (session.account.account_id, session.account.email) == (registered.account_id, EMAIL)
    assert session.account.email_subscribed is True

    signed_in = bearer(session.access_token)
    mine = await stub.GetAccount(pb.GetAccountRequest(), metadata=signed_in)
    assert (mine.account_id, mine.status) == (registered.account_id, pb.ACCOUNT_STATUS_ACTIVE)
    # A refresh token is no access token.
    await refused_over_grpc(
        stub.GetAccount(pb.GetAccountRequest(), metadata=bearer(session.refresh_token)),
        UNAUTHENTICATED,
        "invalid_token",
    )

    unsubscribed = await stub.SetEmailSubscription(
        pb.SetEmailSubscriptionRequest(subscribed=False), metadata=signed_in
    )
    assert unsubscribed.email_subscribed is False
    assert (await stub.LogIn(log_in())).account.email_subscribed is False
    await refused_over_grpc(
        stub.RequestPasswordReset(pb.EmailRequest(email=EMAIL)),
        FAILED_PRECONDITION,
        "email_unsubscribed",
    )

    refreshed = await stub.RefreshSession(
        pb.RefreshSessionRequest(refresh_token=session.refresh_token)
    )
    assert refreshed.access_token and refreshed.access_token != session.access_token
    again = await stub.GetAccount(pb.GetAccountRequest(), metadata=bearer(refreshed.access_token))
    assert (again.account_id, again.email_subscribed) == (registered.account_id, False)


# --- identity verification before activation --------------------------------------------------


async def test_a_card_or_account_that_is_not_there_names_the_request_field(
    stub: Stub, mailer: RecordingMailer, token_keys: TokenKeys
) -> None:
    """The domain says what is missing; the API says which field of the request named it."""
    await stub.Register(registration())
    await stub.Activate(pb.TokenRequest(token=mailer.last_token(EMAIL)))
    signed_in = bearer((await stub.LogIn(log_in())).access_token)
    unknown = "0b6e8c1e-5c35-4d8e-9a57-2d6f4b4f7a10"
    await refused_over_grpc(
        stub.RemoveCard(pb.RemoveCardRequest(card_id=unknown), metadata=signed_in),
        NOT_FOUND,
        "card_not_found",
        "card_id",
    )
    await refused_over_grpc(
        stub.GetAccount(
            pb.GetAccountRequest(account_id=unknown), metadata=staff(token_keys, Role.OPERATOR)
        ),
        NOT_FOUND,
        "account_not_found",
        "account_id",
    )


async def register_where_ids_are_verified_first(
    stub: Stub, mailer: RecordingMailer, token_keys: TokenKeys
) -> tuple[pb.Account, str]:
    """An account registered for a facility that verifies identities before activation, and
    the token of its activation email."""
    configured = await configure(
        stub, token_keys, "FAC-IDV", id_verification=IdVerificationPolicy.BEFORE_ACTIVATION
    )
    assert configured.settings.id_verification == "before_activation"
    account = await stub.Register(registration(facility_id="FAC-IDV"))
    assert account.id_verification == pb.ID_VERIFICATION_REQUIRED
    return account, mailer.last_token(EMAIL)


async def test_documents_sent_with_the_activation_link_activate_without_a_session(
    stub: Stub, mailer: RecordingMailer, token_keys: TokenKeys
) -> None:
    account, link = await register_where_ids_are_verified_first(stub, mailer, token_keys)
    await refused_over_grpc(
        stub.Activate(pb.TokenRequest(token=link)), FAILED_PRECONDITION, "id_verification_required"
    )

    verified = await stub.SubmitIdVerification(documents(link), metadata=ANONYMOUS)
    assert verified.account_id == account.account_id
    assert (verified.status, verified.id_verification) == (
        pb.ACCOUNT_STATUS_ACTIVE,
        pb.ID_VERIFICATION_VERIFIED,
    )
    assert (await stub.LogIn(log_in())).account.status == pb.ACCOUNT_STATUS_ACTIVE
    # The link is spent.
    await refused_over_grpc(
        stub.SubmitIdVerification(documents(link)),
        INVALID_ARGUMENT,
        "token_invalid",
        "activation_token",
    )


async def test_documents_without_a_link_need_a_family_members_session(
    stub: Stub, mailer: RecordingMailer, token_keys: TokenKeys
) -> None:
    account, link = await register_where_ids_are_verified_first(stub, mailer, token_keys)
    for anonymous in (ANONYMOUS, bearer("not.a.token")):
        await refused_over_grpc(
            stub.SubmitIdVerification(documents(), metadata=anonymous),
            UNAUTHENTICATED,
            "token_missing",
        )
    await refused_over_grpc(
        stub.SubmitIdVerification(documents(), metadata=staff(token_keys, Role.OPERATOR)),
        PERMISSION_DENIED,
        "role_not_allowed",
    )
    # Nothing was spent on the way: still pending, and the link still verifies and activates.
    await refused_over_grpc(stub.LogIn(log_in()), FAILED_PRECONDITION, "account_not_activated")
    verified = await stub.SubmitIdVerification(documents(link))
    assert (verified.account_id, verified.status) == (account.account_id, pb.ACCOUNT_STATUS_ACTIVE)
