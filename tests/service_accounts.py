"""A Kinlink service's own account at identity, for tests of services calling each other: the
settings that make identity create it, and the account signing in."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_kit.service_account import ServiceAccount
from prometheus_client import REGISTRY
from pydantic import SecretStr

from tests.conftest import TokenKeys

SERVICE_EMAIL = "messaging@kinlink.internal"
SERVICE_PASSWORD = SecretStr("a long service account password")


def with_service_account(settings: IdentitySettings) -> IdentitySettings:
    return settings.model_copy(update={"service_accounts": {SERVICE_EMAIL: SERVICE_PASSWORD}})


class MovableNow:
    """The service's view of the time: now, moved ahead by hand (identity keeps the real
    time, so the tokens it signs stay valid for the services checking them)."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def service_account(
    address: str, now: MovableNow | None = None, password: SecretStr = SERVICE_PASSWORD
) -> ServiceAccount:
    return ServiceAccount(address, SERVICE_EMAIL, password, clock=now or MovableNow())


def sign_ins(how: str, outcome: str = "ok") -> float:
    """How many sign-ins this process made so far (the counter operators watch)."""
    value = REGISTRY.get_sample_value(
        "kinlink_service_sign_ins_total", {"how": how, "outcome": outcome}
    )
    return value or 0.0


def identity_settings_with_service_account(
    data_dir: Path, token_keys: TokenKeys
) -> IdentitySettings:
    """Identity on SQLite in `data_dir`, signing with the tests' key, its argon2 cost lowered,
    creating the service's account: for tests where identity only signs the service in."""
    return with_service_account(
        IdentitySettings(
            data_dir=data_dir,
            postgres_dsn=None,
            kafka_bootstrap=None,
            jwt_private_key=token_keys.private_pem,
            jwt_key_id=token_keys.key_id,
            password_time_cost=1,
            password_memory_kib=1024,
            personal_data_key=Fernet.generate_key().decode(),
        )
    )
