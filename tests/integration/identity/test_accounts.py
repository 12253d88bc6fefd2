"""Accounts: every rule of requirements "Account" and its failure paths, on SQLite and on
the real PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_identity.adapters.passwords import PasswordHasher
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.account import IdVerification
from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.id_verification import IdDocuments
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import Mailer
from kinlink_identity.domain.mail import MailUnavailable
from kinlink_identity.service_layer.activate import activate
from kinlink_identity.service_layer.activate import resend_activation
from kinlink_identity.service_layer.change_email import RequestEmailChange
from kinlink_identity.service_layer.change_email import confirm_email_change
from kinlink_identity.service_layer.change_email import request_email_change
from kinlink_identity.service_layer.close_account import CloseAccount
from kinlink_identity.service_layer.close_account import close_account
from kinlink_identity.service_layer.close_account import close_staff_account
from kinlink_identity.service_layer.create_staff_account import CreateStaffAccount
from kinlink_identity.service_layer.create_staff_account import create_staff_account
from kinlink_identity.service_layer.edit_account import EditAccount
from kinlink_identity.service_layer.edit_account import edit_account
from kinlink_identity.service_layer.get_account import get_account
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.log_in import LogIn
from kinlink_identity.service_layer.log_in import Session
from kinlink_identity.service_layer.log_in import log_in
from kinlink_identity.service_layer.log_in import refresh_session
from kinlink_identity.service_layer.reactivate import reactivate
from kinlink_identity.service_layer.reactivate import request_reactivation
from kinlink_identity.service_layer.register import Register
from kinlink_identity.service_layer.register import register
from kinlink_identity.service_layer.reset_password import ResetPassword
from kinlink_identity.service_layer.reset_password import request_password_reset
from kinlink_identity.service_layer.reset_password import reset_password
from kinlink_identity.service_layer.set_email_subscription import set_email_subscription
from kinlink_kit.auth import Role
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.errors import ResourceExhausted
from kinlink_kit.errors import Unauthenticated
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import Clock

from tests.conftest import TokenKeys
from tests.integration.identity.conftest import RecordingMailer

PASSWORD = "correct horse battery"
ADDRESS = {
    "line1": "1 Main St",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
}
HERE = "203.0.113.7"


def registration(email: str = "ada@example.com", **changes: Any) -> Register:
    command = Register(
        email=email,
        password=PASSWORD,
        first_name="Ada",
        last_name="Lovelace",
        address=ADDRESS,
        phone="+1 (312) 555-0100",
        time_zone="America/Chicago",
    )
    return replace(command, **changes)


def active_account(identity: Identity, mailer: RecordingMailer, email: str) -> Account:
    register(identity, registration(email))
    return activate(identity, mailer.last_token(email))


def sign_in(
    identity: Identity, email: str, password: str = PASSWORD, address: str = HERE
) -> Session:
    return log_in(identity, LogIn(email, password, address))


def fail_to_sign_in(identity: Identity, email: str, address: str = HERE) -> ClientError:
    return refused(
        Unauthenticated, "invalid_credentials", sign_in, identity, email, "wrong password", address
    )


def refused(kind: type[ClientError], code: str, call: Any, *args: Any) -> ClientError:
    with pytest.raises(kind) as raised:
        call(*args)
    assert raised.value.code == code
    return raised.value


def configure_facility(identity: Identity, facility_id: str, **settings: Any) -> None:
    facility = Facility.configure(
        facility_id,
        FacilitySettings(
            name=f"{facility_id} County Jail",
            time_zone="America/Chicago",
            deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=300),),
            **settings,
        ),
    )
    identity.store.save(facility)


# --- registering and activating ---------------------------------------------------------------


def test_registering_makes_an_inactive_account_and_emails_its_activation_link(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    account = register(identity, registration(" Ada@Example.COM "))

    stored = identity.account(account.id)
    assert stored.email == "ada@example.com"
    assert stored.status is AccountStatus.PENDING_ACTIVATION
    assert stored.phone == "+13125550100"
    assert stored.roles == frozenset({Role.FAMILY_MEMBER})
    assert stored.registered_at == clock.now
    assert stored.id_verification is IdVerification.NOT_REQUIRED
    assert stored.email_subscribed
    assert PASSWORD not in stored.password_hash
    [email] = mailer.sent
    assert email.to == "ada@example.com"
    assert "/activate?token=" in email.text
    assert identity.account_by_email("ada@example.com") == stored


def test_the_same_email_in_other_case_is_taken(identity: Identity) -> None:
    register(identity, registration("ada@example.com"))
    refused(AlreadyExists, "email_taken", register, identity, registration("ADA@example.com"))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"email": "not an email"}, "email_invalid"),
        ({"password": "short"}, "password_too_weak"),
        ({"first_name": " "}, "first_name_missing"),
        ({"last_name": ""}, "last_name_missing"),
        ({"phone": "555-0100"}, "phone_invalid"),
        ({"time_zone": "Central"}, "time_zone_unknown"),
        ({"address": {**ADDRESS, "city": ""}}, "address_incomplete"),
    ],
)
def test_registration_details_are_checked(
    identity: Identity, mailer: RecordingMailer, changes: dict[str, Any], code: str
) -> None:
    refused(InvalidArgument, code, register, identity, registration(**changes))
    assert identity.account_by_email("ada@example.com") is None
    assert mailer.sent == []


def test_a_facility_requiring_id_verification_before_activation_holds_activation_back(
    identity: Identity, mailer: RecordingMailer
) -> None:
    configure_facility(identity, "strict", id_verification=IdVerificationPolicy.BEFORE_ACTIVATION)
    configure_facility(identity, "relaxed")

    strict = register(identity, registration("ada@example.com", facility_id="strict"))
    relaxed = register(identity, registration("bob@example.com", facility_id="relaxed"))

    assert strict.id_verification is IdVerification.REQUIRED
    assert relaxed.id_verification is IdVerification.NOT_REQUIRED
    refused(
        FailedPrecondition,
        "id_verification_required",
        activate,
        identity,
        mailer.last_token("ada@example.com"),
    )
    assert identity.account(strict.id).status is AccountStatus.PENDING_ACTIVATION
    assert activate(identity, mailer.last_token("bob@example.com")).is_active


def test_registering_for_an_unknown_facility_is_refused(identity: Identity) -> None:
    refused(NotFound, "facility_not_found", register, identity, registration(facility_id="nowhere"))


def test_the_activation_link_works_once(identity: Identity, mailer: RecordingMailer) -> None:
    register(identity, registration())
    token = mailer.last_token("ada@example.com")

    assert activate(identity, token).status is AccountStatus.ACTIVE
    refused(InvalidArgument, "token_invalid", activate, identity, token)
    refused(InvalidArgument, "token_invalid", activate, identity, "made-up-token")
    refused(InvalidArgument, "token_invalid", activate, identity, "")


def test_a_change_to_the_account_saved_meanwhile_does_not_spend_the_activation_link(
    identity: Identity,
    identity_settings: IdentitySettings,
    mailer: RecordingMailer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another replica unsubscribes the account between activation's read and its save: the
    activation reads again and lands, instead of refusing a link that was never used."""
    account = register(identity, registration())
    token = mailer.last_token("ada@example.com")
    replica = build_identity(identity_settings, mailer)
    save = identity.store.save

    def overtaken_once(*aggregates: Any) -> None:
        if replica.account(account.id).email_subscribed:
            set_email_subscription(replica, str(account.id), False)
        save(*aggregates)

    monkeypatch.setattr(identity.store, "save", overtaken_once)
    try:
        activated = activate(identity, token)
    finally:
        replica.close()
    assert (activated.status, activated.email_subscribed) == (AccountStatus.ACTIVE, False)
    refused(InvalidArgument, "token_invalid", activate, identity, token)


def test_the_activation_link_expires(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    account = register(identity, registration())
    token = mailer.last_token("ada@example.com")
    clock.now += identity.policy.activation_ttl

    refused(InvalidArgument, "token_expired", activate, identity, token)
    assert identity.account(account.id).status is AccountStatus.PENDING_ACTIVATION


def test_a_token_for_one_purpose_does_not_serve_another(
    identity: Identity, mailer: RecordingMailer
) -> None:
    register(identity, registration())
    token = mailer.last_token("ada@example.com")
    refused(InvalidArgument, "token_invalid", reactivate, identity, token)
    refused(
        InvalidArgument, "token_invalid", reset_password, identity, ResetPassword(token, PASSWORD)
    )
    assert activate(identity, token).is_active


def test_activation_can_be_resent_and_unknown_emails_are_answered_alike(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    register(identity, registration())
    clock.now += identity.policy.activation_ttl  # the first link has expired

    resend_activation(identity, "ADA@example.com")
    resend_activation(identity, "nobody@example.com")

    assert [email.to for email in mailer.sent] == ["ada@example.com", "ada@example.com"]
    assert activate(identity, mailer.last_token("ada@example.com")).is_active
    resend_activation(identity, "ada@example.com")  # active now: nothing to send
    assert len(mailer.sent) == 2


class BrokenMailer(Mailer):
    def send(self, email: Email) -> None:
        raise MailUnavailable("connection refused")


def test_mail_that_cannot_be_sent_is_reported_and_can_be_asked_for_again(
    identity: Identity, mailer: RecordingMailer
) -> None:
    identity.mailer = BrokenMailer()
    refused(Unavailable, "mail_unavailable", register, identity, registration())

    identity.mailer = mailer
    resend_activation(identity, "ada@example.com")
    assert activate(identity, mailer.last_token("ada@example.com")).is_active


# --- logging in --------------------------------------------------------------------------------


def test_logging_in_gives_tokens_for_the_account(
    identity: Identity, mailer: RecordingMailer, clock: Clock, token_keys: TokenKeys
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    session = sign_in(identity, "ADA@example.com")

    assert session.account.id == account.id
    assert session.access_token_expires_at == clock.now + identity.policy.access_token_ttl
    assert session.refresh_token_expires_at == clock.now + identity.policy.refresh_token_ttl
    verifier = TokenVerifier({token_keys.key_id: token_keys.public_pem})
    clock.now = datetime.now(UTC)  # the verifier checks tokens against the real time
    session = sign_in(identity, "ada@example.com")
    principal = verifier.principal(session.access_token)
    assert principal.account_id == str(account.id)
    assert principal.roles == frozenset({Role.FAMILY_MEMBER})
    assert verifier.refresh_claims(session.refresh_token).session_epoch == account.session_epoch


def test_wrong_email_and_wrong_password_get_the_same_answer(
    identity: Identity, mailer: RecordingMailer
) -> None:
    active_account(identity, mailer, "ada@example.com")
    wrong_password = fail_to_sign_in(identity, "ada@example.com")
    wrong_email = refused(
        Unauthenticated, "invalid_credentials", sign_in, identity, "eve@example.com", PASSWORD
    )
    assert (type(wrong_password), wrong_password.message, wrong_password.field) == (
        type(wrong_email),
        wrong_email.message,
        wrong_email.field,
    )


def test_an_account_not_yet_activated_or_closed_cannot_log_in_with_the_right_password(
    identity: Identity, mailer: RecordingMailer
) -> None:
    register(identity, registration())
    fail_to_sign_in(identity, "ada@example.com")
    refused(FailedPrecondition, "account_not_activated", sign_in, identity, "ada@example.com")

    account = activate(identity, mailer.last_token("ada@example.com"))
    close_account(identity, CloseAccount(str(account.id), PASSWORD, HERE))
    refused(FailedPrecondition, "account_closed", sign_in, identity, "ada@example.com")


def test_failed_logins_are_throttled_per_account(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    active_account(identity, mailer, "ada@example.com")
    limit = identity.throttle.limits.per_account
    for n in range(limit):
        # From a new address each time: only the account's own count can stop this.
        fail_to_sign_in(identity, "ada@example.com", f"198.51.100.{n}")

    throttled = refused(
        ResourceExhausted, "too_many_attempts", sign_in, identity, "ada@example.com"
    )
    assert "try again later" in throttled.message
    # Other accounts are not held back by it.
    active_account(identity, mailer, "bob@example.com")
    assert sign_in(identity, "bob@example.com").account.email == "bob@example.com"

    clock.now += identity.throttle.limits.window
    assert sign_in(identity, "ada@example.com").account.email == "ada@example.com"


def test_failed_logins_are_throttled_per_address_with_the_same_answer(
    identity: Identity, mailer: RecordingMailer
) -> None:
    active_account(identity, mailer, "ada@example.com")
    limit = identity.throttle.limits.per_address
    for n in range(limit):
        # A new email each time: only the address's count can stop this.
        fail_to_sign_in(identity, f"guess{n}@example.com")

    by_address = refused(
        ResourceExhausted, "too_many_attempts", sign_in, identity, "ada@example.com"
    )
    assert (
        sign_in(identity, "ada@example.com", address="192.0.2.1").account.email == "ada@example.com"
    )
    # The account has failed as often from elsewhere: the refusal does not tell the two apart.
    for _ in range(identity.throttle.limits.per_account):
        fail_to_sign_in(identity, "ada@example.com", "192.0.2.9")
    by_account = refused(
        ResourceExhausted,
        "too_many_attempts",
        sign_in,
        identity,
        "ada@example.com",
        PASSWORD,
        "192.0.2.10",
    )
    assert by_account.message == by_address.message
    assert by_account.field == by_address.field


def test_a_successful_login_clears_the_accounts_failures(
    identity: Identity, mailer: RecordingMailer
) -> None:
    active_account(identity, mailer, "ada@example.com")
    for _ in range(identity.throttle.limits.per_account - 1):
        fail_to_sign_in(identity, "ada@example.com")
    sign_in(identity, "ada@example.com")
    fail_to_sign_in(identity, "ada@example.com")
    assert sign_in(identity, "ada@example.com").account.email == "ada@example.com"


def test_a_hash_of_older_costs_is_renewed_at_login_without_ending_sessions(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)
    account = active_account(identity, mailer, "ada@example.com")
    first = sign_in(identity, "ada@example.com")
    identity.passwords = PasswordHasher(time_cost=2, memory_kib=2048)

    sign_in(identity, "ada@example.com")

    renewed = identity.account(account.id)
    assert renewed.password_hash != account.password_hash
    assert not identity.passwords.needs_rehash(renewed.password_hash)
    assert renewed.session_epoch == account.session_epoch
    assert refresh_session(identity, first.refresh_token).account.id == account.id


def test_login_shows_an_unsubscribed_account_as_such(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    assert sign_in(identity, "ada@example.com").account.email_subscribed

    set_email_subscription(identity, str(account.id), False)
    assert not sign_in(identity, "ada@example.com").account.email_subscribed


# --- sessions ----------------------------------------------------------------------------------


def test_a_refresh_token_gives_a_new_session_until_the_password_is_reset(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)  # tokens are checked against the real time
    account = active_account(identity, mailer, "ada@example.com")
    session = sign_in(identity, "ada@example.com")

    renewed = refresh_session(identity, session.refresh_token)
    assert renewed.account.id == account.id
    assert renewed.access_token != session.access_token

    request_password_reset(identity, "ada@example.com")
    reset_password(
        identity, ResetPassword(mailer.last_token("ada@example.com"), "a new passphrase")
    )
    refused(Unauthenticated, "session_ended", refresh_session, identity, session.refresh_token)
    refused(Unauthenticated, "session_ended", refresh_session, identity, renewed.refresh_token)
    fresh = sign_in(identity, "ada@example.com", "a new passphrase")
    assert refresh_session(identity, fresh.refresh_token).account.id == account.id


def test_closing_the_account_ends_its_sessions(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)
    account = active_account(identity, mailer, "ada@example.com")
    session = sign_in(identity, "ada@example.com")
    close_account(identity, CloseAccount(str(account.id), PASSWORD, HERE))
    refused(Unauthenticated, "session_ended", refresh_session, identity, session.refresh_token)


def test_an_access_token_is_not_a_refresh_token(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)
    active_account(identity, mailer, "ada@example.com")
    session = sign_in(identity, "ada@example.com")
    refused(Unauthenticated, "invalid_token", refresh_session, identity, session.access_token)
    refused(Unauthenticated, "invalid_token", refresh_session, identity, "not.a.token")


# --- forgotten password --------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_emailed_link_once(
    identity: Identity, mailer: RecordingMailer
) -> None:
    active_account(identity, mailer, "ada@example.com")
    request_password_reset(identity, "Ada@Example.com")
    token = mailer.last_token("ada@example.com")
    assert "/reset-password?token=" in mailer.sent[-1].text

    refused(
        InvalidArgument,
        "password_too_weak",
        reset_password,
        identity,
        ResetPassword(token, "short"),
    )
    reset_password(identity, ResetPassword(token, "a new passphrase"))
    refused(
        InvalidArgument,
        "token_invalid",
        reset_password,
        identity,
        ResetPassword(token, "another passphrase"),
    )
    refused(Unauthenticated, "invalid_credentials", sign_in, identity, "ada@example.com")
    assert (
        sign_in(identity, "ada@example.com", "a new passphrase").account.email == "ada@example.com"
    )


def test_the_reset_link_expires(identity: Identity, mailer: RecordingMailer, clock: Clock) -> None:
    active_account(identity, mailer, "ada@example.com")
    request_password_reset(identity, "ada@example.com")
    clock.now += identity.policy.password_reset_ttl
    refused(
        InvalidArgument,
        "token_expired",
        reset_password,
        identity,
        ResetPassword(mailer.last_token("ada@example.com"), "a new passphrase"),
    )


def test_a_reset_for_an_unknown_email_is_answered_like_any_other(
    identity: Identity, mailer: RecordingMailer
) -> None:
    request_password_reset(identity, "nobody@example.com")
    assert mailer.sent == []


def test_an_unsubscribed_account_cannot_reset_its_password_until_it_subscribes_again(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    request_password_reset(identity, "ada@example.com")
    earlier_link = mailer.last_token("ada@example.com")
    set_email_subscription(identity, str(account.id), False)
    sent = len(mailer.sent)

    refused(
        FailedPrecondition,
        "email_unsubscribed",
        request_password_reset,
        identity,
        "ada@example.com",
    )
    assert len(mailer.sent) == sent
    refused(
        FailedPrecondition,
        "email_unsubscribed",
        reset_password,
        identity,
        ResetPassword(earlier_link, "a new passphrase"),
    )

    set_email_subscription(identity, str(account.id), True)
    reset_password(identity, ResetPassword(earlier_link, "a new passphrase"))
    assert sign_in(identity, "ada@example.com", "a new passphrase").account.id == account.id


# --- the account itself --------------------------------------------------------------------------


def test_an_account_holder_sees_their_own_account_and_an_operator_any(
    identity: Identity, mailer: RecordingMailer
) -> None:
    ada = active_account(identity, mailer, "ada@example.com")
    bob = active_account(identity, mailer, "bob@example.com")
    operator = create_staff_account(
        identity,
        CreateStaffAccount("op@kinlink.example", PASSWORD, "Olive", "Operator", ["operator"], []),
    )

    assert get_account(identity, ada.principal()).id == ada.id
    assert get_account(identity, ada.principal(), str(ada.id)).id == ada.id
    refused(
        PermissionDenied,
        "account_out_of_scope",
        get_account,
        identity,
        ada.principal(),
        str(bob.id),
    )
    assert get_account(identity, operator.principal(), str(bob.id)).id == bob.id
    refused(NotFound, "account_not_found", get_account, identity, operator.principal(), "nope")


def test_editing_changes_only_the_details_named(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    edited = edit_account(
        identity,
        EditAccount(
            str(account.id),
            ["phone", "time_zone"],
            first_name="Eve",
            phone="+1 212 555 0199",
            time_zone="America/New_York",
        ),
    )
    stored = identity.account(account.id)
    assert (stored.first_name, stored.phone, stored.time_zone) == (
        "Ada",
        "+12125550199",
        "America/New_York",
    )
    assert stored.address == ADDRESS
    assert edited.version == stored.version

    new_address = {**ADDRESS, "line1": "2 Elm St"}
    edit_account(identity, EditAccount(str(account.id), ["address"], address=new_address))
    assert identity.account(account.id).address == new_address


@pytest.mark.parametrize(
    ("fields", "values", "code"),
    [
        ([], {}, "fields_missing"),
        (["email"], {}, "field_not_editable"),
        (["phone"], {"phone": "call me"}, "phone_invalid"),
        (["first_name"], {"first_name": ""}, "first_name_missing"),
        (["time_zone"], {"time_zone": "Mars/Base"}, "time_zone_unknown"),
    ],
)
def test_edits_are_checked(
    identity: Identity,
    mailer: RecordingMailer,
    fields: list[str],
    values: dict[str, Any],
    code: str,
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    refused(
        InvalidArgument,
        code,
        edit_account,
        identity,
        EditAccount(str(account.id), fields, **values),
    )
    assert identity.account(account.id).version == account.version


# --- changing the email address ----------------------------------------------------------------


def test_a_new_email_is_confirmed_at_the_new_address_and_the_old_one_becomes_free(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    request_email_change(
        identity, RequestEmailChange(str(account.id), "Ada.L@Example.org", PASSWORD, HERE)
    )
    assert mailer.sent[-1].to == "ada.l@example.org"
    assert "/confirm-email?token=" in mailer.sent[-1].text
    assert identity.account(account.id).email == "ada@example.com"  # not before confirmation

    changed = confirm_email_change(identity, mailer.last_token("ada.l@example.org"))

    assert changed.email == "ada.l@example.org"
    assert sign_in(identity, "ada.l@example.org").account.id == account.id
    refused(Unauthenticated, "invalid_credentials", sign_in, identity, "ada@example.com")
    refused(AlreadyExists, "email_taken", register, identity, registration("ada.l@example.org"))
    someone_else = register(identity, registration("ada@example.com"))
    assert identity.account_by_email("ada@example.com") == identity.account(someone_else.id)


def test_an_email_change_needs_the_password_and_a_free_address(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    active_account(identity, mailer, "bob@example.com")
    sent = len(mailer.sent)

    def change_to(new_email: str, password: str = PASSWORD) -> None:
        request_email_change(
            identity, RequestEmailChange(str(account.id), new_email, password, HERE)
        )

    refused(InvalidArgument, "password_incorrect", change_to, "x@example.com", "wrong" * 3)
    refused(AlreadyExists, "email_taken", change_to, "BOB@example.com")
    refused(InvalidArgument, "email_invalid", change_to, "bob")
    refused(InvalidArgument, "email_unchanged", change_to, "ada@example.com")
    assert len(mailer.sent) == sent


def test_an_address_taken_while_the_change_waited_is_refused_at_confirmation(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    request_email_change(
        identity, RequestEmailChange(str(account.id), "new@example.com", PASSWORD, HERE)
    )
    token = mailer.last_token("new@example.com")
    register(identity, registration("new@example.com"))

    refused(AlreadyExists, "email_taken", confirm_email_change, identity, token)
    assert identity.account(account.id).email == "ada@example.com"
    assert sign_in(identity, "ada@example.com").account.id == account.id


def test_the_email_change_link_works_once_and_expires(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    request_email_change(
        identity, RequestEmailChange(str(account.id), "one@example.com", PASSWORD, HERE)
    )
    first = mailer.last_token("one@example.com")
    request_email_change(
        identity, RequestEmailChange(str(account.id), "two@example.com", PASSWORD, HERE)
    )
    second = mailer.last_token("two@example.com")

    confirm_email_change(identity, first)
    refused(InvalidArgument, "token_invalid", confirm_email_change, identity, first)
    clock.now += identity.policy.email_change_ttl
    refused(InvalidArgument, "token_expired", confirm_email_change, identity, second)


# --- closing and reactivating -------------------------------------------------------------------


def test_closing_needs_the_password_and_erases_identity_documents(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    identity.vault.keep(
        account.id,
        IdDocuments("Ada", "Lovelace", date(1980, 4, 30), ADDRESS, ssn="123456789"),
    )
    refused(
        InvalidArgument,
        "password_incorrect",
        close_account,
        identity,
        CloseAccount(str(account.id), "wrong" * 3, HERE),
    )
    assert identity.account(account.id).is_active
    assert identity.vault.read(account.id) is not None

    closed = close_account(identity, CloseAccount(str(account.id), PASSWORD, HERE))

    assert closed.status is AccountStatus.CLOSED
    assert identity.vault.read(account.id) is None
    refused(
        FailedPrecondition,
        "account_closed",
        close_account,
        identity,
        CloseAccount(str(account.id), PASSWORD, HERE),
    )
    # The address stays the account's, so it can come back.
    refused(AlreadyExists, "email_taken", register, identity, registration("ada@example.com"))


def test_a_closed_account_is_reactivated_through_the_emailed_link(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    request_reactivation(identity, "ada@example.com")  # not closed: nothing to send
    sent = len(mailer.sent)
    assert sent == 1
    close_account(identity, CloseAccount(str(account.id), PASSWORD, HERE))

    request_reactivation(identity, "nobody@example.com")
    request_reactivation(identity, "ADA@example.com")
    assert len(mailer.sent) == sent + 1
    token = mailer.last_token("ada@example.com")
    assert "/reactivate?token=" in mailer.sent[-1].text

    assert reactivate(identity, token).status is AccountStatus.ACTIVE
    refused(InvalidArgument, "token_invalid", reactivate, identity, token)
    assert sign_in(identity, "ada@example.com").account.id == account.id


def test_the_reactivation_link_expires(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    close_account(identity, CloseAccount(str(account.id), PASSWORD, HERE))
    request_reactivation(identity, "ada@example.com")
    clock.now += identity.policy.reactivation_ttl
    refused(
        InvalidArgument, "token_expired", reactivate, identity, mailer.last_token("ada@example.com")
    )
    assert identity.account(account.id).status is AccountStatus.CLOSED


def test_an_unsubscribed_account_cannot_be_reactivated_until_it_subscribes_again(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = active_account(identity, mailer, "ada@example.com")
    close_account(identity, CloseAccount(str(account.id), PASSWORD, HERE))
    request_reactivation(identity, "ada@example.com")
    earlier_link = mailer.last_token("ada@example.com")
    set_email_subscription(identity, str(account.id), False)
    sent = len(mailer.sent)

    refused(
        FailedPrecondition, "email_unsubscribed", request_reactivation, identity, "ada@example.com"
    )
    refused(FailedPrecondition, "email_unsubscribed", reactivate, identity, earlier_link)
    assert len(mailer.sent) == sent
    assert identity.account(account.id).status is AccountStatus.CLOSED

    set_email_subscription(identity, str(account.id), True)
    assert reactivate(identity, earlier_link).is_active


# --- staff accounts -------------------------------------------------------------------------------


def staff(
    email: str, roles: list[str], facility_ids: list[str] | None = None
) -> CreateStaffAccount:
    return CreateStaffAccount(email, PASSWORD, "Sam", "Staff", roles, facility_ids or [])


def test_staff_accounts_are_active_at_once_with_their_roles_and_facilities(
    identity: Identity, mailer: RecordingMailer
) -> None:
    configure_facility(identity, "north")
    configure_facility(identity, "south")
    officer = create_staff_account(
        identity, staff("Officer@North.example", ["facility_officer"], ["south", "north", "north"])
    )
    auditor = create_staff_account(
        identity, staff("audit@kinlink.example", ["auditor", "operator"])
    )

    assert officer.is_active and auditor.is_active
    assert officer.email == "officer@north.example"
    assert officer.principal().roles == frozenset({Role.FACILITY_OFFICER})
    assert officer.principal().facilities == frozenset({"north", "south"})
    assert auditor.roles == frozenset({Role.AUDITOR, Role.OPERATOR})
    assert sign_in(identity, "officer@north.example").account.id == officer.id
    assert mailer.sent == []


@pytest.mark.parametrize(
    ("command", "kind", "code"),
    [
        (staff("s@k.example", []), InvalidArgument, "roles_missing"),
        (staff("s@k.example", ["family_member"]), InvalidArgument, "role_not_staff"),
        (staff("s@k.example", ["janitor"]), InvalidArgument, "role_unknown"),
        (
            staff("s@k.example", ["facility_officer"]),
            InvalidArgument,
            "facility_required",
        ),
        (
            staff("s@k.example", ["facility_integration"]),
            InvalidArgument,
            "facility_required",
        ),
        (
            staff("s@k.example", ["auditor"], ["north"]),
            InvalidArgument,
            "facility_not_applicable",
        ),
        (
            staff("s@k.example", ["facility_officer"], ["nowhere"]),
            NotFound,
            "facility_not_found",
        ),
        (
            replace(staff("s@k.example", ["operator"]), password="short"),
            InvalidArgument,
            "password_too_weak",
        ),
        (
            replace(staff("s@k.example", ["operator"]), first_name=""),
            InvalidArgument,
            "first_name_missing",
        ),
    ],
)
def test_staff_account_rules(
    identity: Identity, command: CreateStaffAccount, kind: type[ClientError], code: str
) -> None:
    configure_facility(identity, "north")
    refused(kind, code, create_staff_account, identity, command)
    assert identity.account_by_email("s@k.example") is None


def test_a_staff_account_cannot_take_a_family_members_email(
    identity: Identity, mailer: RecordingMailer
) -> None:
    register(identity, registration("ada@example.com"))
    refused(
        AlreadyExists,
        "email_taken",
        create_staff_account,
        identity,
        staff("ADA@example.com", ["operator"]),
    )


def test_an_operator_closes_a_staff_account_and_its_sessions_end(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)  # tokens are checked against the real time
    configure_facility(identity, "north")
    officer = create_staff_account(
        identity, staff("officer@north.example", ["facility_officer"], ["north"])
    )
    session = sign_in(identity, "officer@north.example")

    closed = close_staff_account(identity, str(officer.id))
    assert closed.status is AccountStatus.CLOSED
    refused(Unauthenticated, "session_ended", refresh_session, identity, session.refresh_token)
    refused(FailedPrecondition, "account_closed", sign_in, identity, "officer@north.example")


def test_an_operator_cannot_close_a_family_members_account(
    identity: Identity, mailer: RecordingMailer
) -> None:
    family = active_account(identity, mailer, "ada@example.com")
    refused(
        FailedPrecondition, "not_a_staff_account", close_staff_account, identity, str(family.id)
    )
    assert identity.account(family.id).is_active
