"""Wires identity from its settings: the one place that chooses adapters."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from kinlink.identity.v1 import identity_pb2_grpc
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.bus import Bus
from kinlink_kit.consumer import consume
from kinlink_kit.eventstore import open_store
from kinlink_kit.migration import create_tables
from kinlink_kit.outbox import each
from kinlink_kit.outbox import outbox_relay_jobs
from kinlink_kit.projection import ProjectionGroup
from kinlink_kit.projection import projection_jobs
from kinlink_kit.runtime import GrpcService
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import ViewStore
from kinlink_kit.views import view_store
from pydantic import Field
from pydantic import SecretStr

from kinlink_identity.adapters.attempt_throttle import AttemptLimits
from kinlink_identity.adapters.attempt_throttle import AttemptThrottle
from kinlink_identity.adapters.card_list_view import CardList
from kinlink_identity.adapters.facility_directory_view import FacilityDirectory
from kinlink_identity.adapters.integration_events import IdentityEventTranslator
from kinlink_identity.adapters.mail_folder import MailFolder
from kinlink_identity.adapters.passwords import PasswordHasher
from kinlink_identity.adapters.personal_data_vault import PersonalDataVault
from kinlink_identity.adapters.personal_data_vault import embedded_master_key
from kinlink_identity.adapters.resident_directory_view import ResidentDirectory
from kinlink_identity.adapters.simulated_cards import SimulatedCards
from kinlink_identity.adapters.simulated_verification import SimulatedVerification
from kinlink_identity.adapters.smtp_mailer import SmtpMailer
from kinlink_identity.adapters.staff_account_list_view import StaffAccountList
from kinlink_identity.adapters.stripe_cards import StripeCards
from kinlink_identity.adapters.token_signer import TokenSigner
from kinlink_identity.adapters.token_signer import public_pem_of
from kinlink_identity.domain.card_processor import CardLookup
from kinlink_identity.domain.mail import Mailer
from kinlink_identity.entrypoints.commissary_events import COMMISSARY_EVENT_HANDLERS
from kinlink_identity.entrypoints.facility_events import FACILITY_EVENT_HANDLERS
from kinlink_identity.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_identity.entrypoints.grpc_api import SERVICE_NAME
from kinlink_identity.entrypoints.grpc_api import IdentityServicer
from kinlink_identity.entrypoints.ledger_events import LEDGER_EVENT_HANDLERS
from kinlink_identity.service_layer.bootstrap_operator import bootstrap_operator
from kinlink_identity.service_layer.bootstrap_operator import bootstrap_service_account
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.identity import IdentityPolicy
from kinlink_identity.service_layer.identity import IdentityStore


class IdentitySettings(ServiceSettings):
    service_name: str = "identity"
    database: str = "kinlink_identity"
    # Signing key for access and refresh tokens (Ed25519, PEM); its public half goes to every
    # service in KINLINK_JWT_PUBLIC_KEYS under the same key id.
    jwt_private_key: SecretStr = SecretStr("")
    jwt_key_id: str = "identity-1"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    activation_hours: int = 48
    password_reset_minutes: int = 60
    public_url: str = "http://127.0.0.1:8080"
    # Mail: files under data_dir/mail (embedded mode) or an SMTP server.
    mail_backend: Literal["folder", "smtp"] = "folder"
    mail_from: str = "Kinlink <no-reply@kinlink.example>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    # argon2id cost: OWASP's minimum by default; tests lower it to stay fast.
    password_time_cost: int = 2
    password_memory_kib: int = 19_456
    # Hashes computed at once (default: one per core); each holds password_memory_kib.
    password_hashing_concurrency: int | None = None
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_failure_window_minutes: int = 15
    # Behind a proxy that appends to X-Forwarded-For, failed logins are counted by its last
    # entry; anywhere else a client could pick its own address, so the connection's peer is used.
    trust_forwarded_for: bool = False
    card_processor: Literal["simulated", "stripe"] = "simulated"
    stripe_api_key: SecretStr = SecretStr("sk_test_123")
    stripe_api_base: str | None = None
    verification_provider: Literal["simulated"] = "simulated"
    # Fernet key that wraps each account's own key for its identity documents.
    personal_data_key: SecretStr = SecretStr("")
    consumer_group: str = "kinlink-identity"
    # The first operator, created at start if the address is free (see bootstrap_operator).
    bootstrap_operator_email: str | None = None
    bootstrap_operator_password: SecretStr | None = None
    service_accounts: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="The accounts Kinlink's services sign in with to call each other (role "
        "platform_service), email -> password as JSON; each created at start if its address is "
        "free, like the first operator.",
        examples=[{"messaging@kinlink.internal": "a long random password"}],
    )

    def policy(self) -> IdentityPolicy:
        return IdentityPolicy(
            access_token_ttl=timedelta(minutes=self.access_token_minutes),
            refresh_token_ttl=timedelta(days=self.refresh_token_days),
            activation_ttl=timedelta(hours=self.activation_hours),
            password_reset_ttl=timedelta(minutes=self.password_reset_minutes),
            public_url=self.public_url,
            trust_forwarded_for=self.trust_forwarded_for,
        )


def mailer(settings: IdentitySettings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )
    return MailFolder(settings.data_dir / "mail", sender=settings.mail_from)


def card_lookup(settings: IdentitySettings) -> CardLookup:
    if settings.card_processor == "stripe":
        return StripeCards(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)
    return SimulatedCards()


def personal_data_key(settings: IdentitySettings) -> str:
    """The configured key; on SQLite (the embedded mode) without one, a key made once under
    data_dir. On PostgreSQL an unset key stops the service: the vault refuses to start."""
    key = settings.personal_data_key.get_secret_value()
    if key or settings.database_url(settings.database) is not None:
        return key
    return embedded_master_key(settings.data_dir)


def create_identity_tables(settings: IdentitySettings) -> None:
    """Every table of identity's database: its `migrate` command (decision 0085)."""
    create_tables(settings, settings.database, IdentityStore, _create_view_tables)


def _create_view_tables(store: IdentityStore, views: ViewStore) -> None:
    """The tables of what `build_identity` keeps on its view store."""
    facilities = FacilityDirectory(store, views)
    ResidentDirectory(store, views, facilities)
    CardList(store, views)
    StaffAccountList(store, views)
    AttemptThrottle.create_table(views)
    PersonalDataVault.create_table(views)


def build_identity(settings: IdentitySettings, mail: Mailer | None = None) -> Identity:
    store = open_store(IdentityStore, settings, settings.database)
    views = view_store(settings, settings.database)
    facilities = FacilityDirectory(store, views)
    return Identity(
        store=store,
        views=views,
        policy=settings.policy(),
        signer=TokenSigner(settings.jwt_private_key.get_secret_value(), key_id=settings.jwt_key_id),
        verifier=TokenVerifier(
            {
                **settings.jwt_public_keys,
                settings.jwt_key_id: public_pem_of(settings.jwt_private_key.get_secret_value()),
            }
        ),
        passwords=PasswordHasher(
            settings.password_time_cost,
            settings.password_memory_kib,
            settings.password_hashing_concurrency,
        ),
        throttle=AttemptThrottle(
            views,
            AttemptLimits(
                per_account=settings.login_failures_per_account,
                per_address=settings.login_failures_per_address,
                window=timedelta(minutes=settings.login_failure_window_minutes),
            ),
        ),
        mailer=mail or mailer(settings),
        cards=card_lookup(settings),
        card_list=CardList(store, views),
        verification=SimulatedVerification(),
        vault=PersonalDataVault(views, personal_data_key(settings)),
        facilities=facilities,
        residents=ResidentDirectory(store, views, facilities),
        staff_accounts=StaffAccountList(store, views),
    )


def identity_service(settings: IdentitySettings, bus: Bus, identity: Identity) -> ServiceParts:
    """Identity's part of a process: its gRPC service, outbox relay, and consumers of the
    facilities' events (bookings), of the ledger's (a disabled subscription frees its card) and
    of the commissary's (a paid order's receipt emailed)."""
    if settings.bootstrap_operator_email and settings.bootstrap_operator_password:
        bootstrap_operator(
            identity,
            settings.bootstrap_operator_email,
            settings.bootstrap_operator_password.get_secret_value(),
        )
    for email, password in settings.service_accounts.items():
        bootstrap_service_account(identity, email, password.get_secret_value())
    consume(
        identity,
        bus,
        settings.consumer_group,
        {
            FACILITY_EVENTS: FACILITY_EVENT_HANDLERS,
            LEDGER_EVENTS: LEDGER_EVENT_HANDLERS,
            COMMISSARY_EVENTS: COMMISSARY_EVENT_HANDLERS,
        },
    )
    translator = each(IdentityEventTranslator(identity.store))
    background = [
        # One reader of the log for every view; the facilities first, which residents' name.
        *projection_jobs(
            settings,
            settings.database,
            ProjectionGroup(
                identity.store,
                [
                    identity.facilities,
                    identity.residents,
                    identity.card_list,
                    identity.staff_accounts,
                ],
            ),
        ),
        *outbox_relay_jobs(settings, settings.database, identity.store, bus, translator),
    ]
    return ServiceParts(
        name="identity",
        grpc=[
            GrpcService(
                SERVICE_NAME,
                IdentityServicer(identity),
                identity_pb2_grpc.add_IdentityServiceServicer_to_server,
            )
        ],
        background=background,
        close=identity.close,
        access_policy=ACCESS_POLICY,
    )
