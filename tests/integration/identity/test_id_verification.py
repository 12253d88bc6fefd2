"""ID verification ("due to Federal regulations"): documents to the provider, only what is needed
kept and encrypted, erased on request; the SSN reaches no log, event, table or published event."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
import structlog
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_identity.adapters.integration_events import IdentityEventTranslator
from kinlink_identity.adapters.personal_data_vault import EMBEDDED_KEY_FILE
from kinlink_identity.adapters.personal_data_vault import PersonalDataVault
from kinlink_identity.adapters.simulated_verification import SimulatedVerification
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import personal_data_key
from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.account import IdVerification
from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.id_verification import IdDocuments
from kinlink_identity.domain.id_verification import VerificationResult
from kinlink_identity.service_layer.activate import activate
from kinlink_identity.service_layer.close_account import CloseAccount
from kinlink_identity.service_layer.close_account import close_account
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.register import Register
from kinlink_identity.service_layer.register import register
from kinlink_identity.service_layer.submit_id_verification import SubmitIdVerification
from kinlink_identity.service_layer.submit_id_verification import submit_id_verification
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.logging import configure_logging
from kinlink_kit.testing import refused
from pydantic import SecretStr

from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_cards import HOME
from tests.integration.identity.test_cards import PASSWORD

EMAIL = "pat@example.com"
# Distinctive, so that finding any of them anywhere means it leaked.
LEGAL = {
    "legal_first_name": "Marguerite",
    "legal_last_name": "Oyelaran-Szabo",
    "date_of_birth": "1979-03-14",
    "address": {**HOME, "line1": "17 Quillfeather Lane", "postal_code": "61602"},
}
SSN = "572-81-9364"
FAILING_SSN = "572-81-9999"  # the simulated provider fails SSNs ending in 9999
SECRETS = ("572819364", "572-81-9364", "572 81 9364", "572819999", "572-81-9999", "666819364")
KEPT_IN_THE_VAULT = ("Marguerite", "Oyelaran-Szabo", "1979-03-14", "Quillfeather")


def pending_account(identity: Identity) -> Account:
    """A family member whose facility verifies identities before activation."""
    settings = FacilitySettings(
        name="Verifying County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=300),),
        id_verification=IdVerificationPolicy.BEFORE_ACTIVATION,
    )
    identity.store.save(Facility.configure("FAC-IDV", settings))
    return register(
        identity,
        Register(EMAIL, PASSWORD, "Pat", "Doe", HOME, "+13125550100", "America/Chicago", "FAC-IDV"),
    )


def submit(identity: Identity, account: Account, ssn: str = SSN) -> Account:
    return submit_id_verification(
        identity,
        SubmitIdVerification(str(account.id), ssn=ssn, **LEGAL),  # type: ignore[arg-type]
    )


def test_verified_documents_are_kept_and_the_link_then_activates(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = pending_account(identity)
    link = mailer.last_token(EMAIL)
    with refused(FailedPrecondition, "id_verification_required"):
        activate(identity, link)

    verified = submit(identity, account)
    assert verified.id_verification is IdVerification.VERIFIED
    assert verified.id_verification_reference.startswith("idv_sim_")
    # Still waiting for its link: verification alone does not activate.
    assert identity.account(account.id).status is AccountStatus.PENDING_ACTIVATION
    assert identity.vault.read(account.id) == {
        "legal_first_name": "Marguerite",
        "legal_last_name": "Oyelaran-Szabo",
        "date_of_birth": "1979-03-14",
        "address": LEGAL["address"],
    }
    assert activate(identity, link).status is AccountStatus.ACTIVE
    with refused(FailedPrecondition, "id_already_verified"):
        submit(identity, account)


def test_failed_verification_keeps_nothing_and_can_be_retried(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = pending_account(identity)
    with refused(FailedPrecondition, "id_verification_failed"):
        submit(identity, account, FAILING_SSN)
    assert identity.account(account.id).id_verification is IdVerification.FAILED
    assert identity.vault.read(account.id) is None
    with refused(FailedPrecondition, "id_verification_required"):
        activate(identity, mailer.last_token(EMAIL))

    assert submit(identity, account).id_verification is IdVerification.VERIFIED
    assert activate(identity, mailer.last_token(EMAIL)).is_active


def submit_with_link(identity: Identity, token: str, ssn: str = SSN) -> Account:
    """As the holder of a pending account does: no session yet, the activation link instead."""
    return submit_id_verification(
        identity,
        SubmitIdVerification("", ssn=ssn, activation_token=token, **LEGAL),  # type: ignore[arg-type]
    )


def test_documents_sent_with_the_activation_link_verify_and_activate_at_once(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = pending_account(identity)
    link = mailer.last_token(EMAIL)
    with refused(FailedPrecondition, "id_verification_failed"):
        submit_with_link(identity, link, FAILING_SSN)
    assert identity.account(account.id).status is AccountStatus.PENDING_ACTIVATION

    # Refused, the link was not spent: the holder corrects the details and sends them again.
    activated = submit_with_link(identity, link)
    assert activated.status is AccountStatus.ACTIVE
    assert activated.id_verification is IdVerification.VERIFIED
    with refused(InvalidArgument, "token_invalid"):
        submit_with_link(identity, link)


class CountingProvider(SimulatedVerification):
    def __init__(self) -> None:
        self.calls = 0

    def verify(self, documents: IdDocuments) -> VerificationResult:
        self.calls += 1
        return super().verify(documents)


def test_invalid_documents_never_reach_the_provider(identity: Identity) -> None:
    provider = CountingProvider()
    identity.verification = provider
    account = pending_account(identity)
    with pytest.raises(InvalidArgument) as caught:
        submit(identity, account, "666-81-9364")
    assert caught.value.code == "ssn_invalid"
    with refused(InvalidArgument, "under_age"):
        submit_id_verification(
            identity,
            SubmitIdVerification(
                str(account.id), ssn=SSN, **{**LEGAL, "date_of_birth": "2010-01-01"}
            ),  # type: ignore[arg-type]
        )
    assert provider.calls == 0
    assert identity.account(account.id).id_verification is IdVerification.REQUIRED


def test_a_closed_account_cannot_submit_and_its_documents_are_erased(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = pending_account(identity)
    submit(identity, account)
    activate(identity, mailer.last_token(EMAIL))
    close_account(identity, CloseAccount(str(account.id), PASSWORD, "127.0.0.1"))
    assert identity.vault.read(account.id) is None
    # With its documents gone, the account no longer counts as verified.
    assert identity.account(account.id).id_verification is IdVerification.REQUIRED
    with refused(FailedPrecondition, "account_closed"):
        submit(identity, account)


def test_erasing_leaves_nothing_to_read(identity: Identity) -> None:
    account = pending_account(identity)
    submit(identity, account)
    other = UUID(int=7)
    identity.vault.keep(
        other, IdDocuments.submitted(**LEGAL, ssn=SSN, today=identity.clock().date())
    )  # type: ignore[arg-type]
    identity.vault.erase(account.id)
    assert identity.vault.read(account.id) is None
    assert (
        identity.views.query(
            "SELECT account_id FROM personal_data WHERE account_id = :id", {"id": str(account.id)}
        )
        == []
    )
    assert identity.vault.read(other) is not None  # erasing is per account


def test_the_vault_is_unreadable_without_its_master_key(identity: Identity) -> None:
    account = pending_account(identity)
    submit(identity, account)
    [row] = identity.views.query("SELECT wrapped_key, sealed FROM personal_data")
    assert not any(kept in str(row) for kept in KEPT_IN_THE_VAULT)
    stranger = PersonalDataVault(identity.views, Fernet.generate_key().decode())
    with pytest.raises(InvalidToken):
        stranger.read(account.id)


def test_the_vault_needs_a_master_key(identity: Identity) -> None:
    for key in ("", "not a fernet key"):
        with pytest.raises(ValueError, match="KINLINK_PERSONAL_DATA_KEY"):
            PersonalDataVault(identity.views, key)


def test_only_the_embedded_mode_makes_its_own_key(identity_settings: IdentitySettings) -> None:
    settings = identity_settings.model_copy(update={"personal_data_key": SecretStr("")})
    if settings.postgres_dsn is not None:
        assert personal_data_key(settings) == ""  # and the vault refuses to start with it
        return
    key = personal_data_key(settings)
    made = settings.data_dir / EMBEDDED_KEY_FILE
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    Fernet(key)  # a usable key...
    assert personal_data_key(settings) == key  # ...made once and kept across restarts


# --- the SSN never leaks --------------------------------------------------------------------


@pytest.fixture
def debug_logging(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    """Everything logged, by us and by the libraries, at every level, to the captured stdout."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("identity", "DEBUG")
    root.setLevel(logging.DEBUG)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def stored_bytes(settings: IdentitySettings) -> bytes:
    """Every byte the service stored: SQLite's files whole (pages, free lists and write-ahead
    logs), or every row of every table in PostgreSQL with binary columns as they are."""
    if settings.postgres_dsn is None:
        return b"".join(path.read_bytes() for path in Path(settings.data_dir).rglob("*.sqlite*"))
    url = settings.database_url(settings.database)
    assert url is not None
    dump = bytearray()
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        assert len(tables) > 1
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else None
                    dump += raw if raw is not None else str(value).encode()
    return bytes(dump)


def test_no_ssn_reaches_logs_events_or_tables(
    identity: Identity,
    identity_settings: IdentitySettings,
    mailer: RecordingMailer,
    debug_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = pending_account(identity)
    with pytest.raises(InvalidArgument):
        submit(identity, account, "666-81-9364")
    with pytest.raises(FailedPrecondition):
        submit(identity, account, FAILING_SSN)
    verified = submit(identity, account)
    activate(identity, mailer.last_token(EMAIL))
    identity.card_list.catch_up()
    identity.facilities.catch_up()

    logged = capsys.readouterr().out
    assert "id verification answered" in logged and str(account.id) in logged  # logs were caught
    translate = IdentityEventTranslator(identity.store)
    published = b"".join(
        message.value
        for message in map(translate, identity.store.tracking.select_notifications(1, 1000))
        if message is not None
    )
    assert b"AccountIdVerified" in published
    stored = stored_bytes(identity_settings)
    # The store is read as it is: what it holds in clear is found (nothing compressed it).
    assert verified.id_verification_reference.encode() in stored and EMAIL.encode() in stored

    for secret in SECRETS:
        assert secret not in logged
        assert secret.encode() not in published
        assert secret.encode() not in stored
    for kept in KEPT_IN_THE_VAULT:
        assert kept.encode() not in stored
