"""Settings every service reads from the environment (prefix KINLINK_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic import SecretStr
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from kinlink_kit.auth import AUDIENCE
from kinlink_kit.auth import ISSUER
from kinlink_kit.auth import TokenVerifier


class ServiceSettings(BaseSettings):
    """Common settings; a service subclasses this to add its own.

    With no Kafka bootstrap the service uses the SQLite bus under `data_dir`, and with no
    PostgreSQL DSN it keeps its events in SQLite there too: that is the embedded mode.
    """

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    service_name: str = "kinlink"
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0 disables /metrics.")
    log_level: str = "INFO"
    kafka_bootstrap: str | None = Field(default=None, examples=["127.0.0.1:19092"])
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How the Kafka clients reach the brokers (decision 0096)."
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_username: str | None = Field(default=None, description="The Kafka user (SASL).")
    kafka_password: SecretStr | None = Field(default=None, description="The Kafka user's (SASL).")
    kafka_ca_file: Path | None = Field(
        default=None,
        description="PEM certificates the brokers' certificate must chain to (SSL, SASL_SSL); "
        "none: the system's.",
    )
    postgres_dsn: str | None = Field(
        default=None,
        description="postgresql://user:password@host:port/{database}; {database} is replaced.",
    )
    postgres_pool_size: int = 10
    create_tables: bool = Field(
        default=True,
        description="Create the service's tables at start-up; false: only check they exist, "
        "and stop if they do not (its `migrate` command creates them; decision 0085).",
    )
    data_dir: Path = Path("var")
    shutdown_grace_seconds: float = 10.0
    worker_threads: int = Field(
        default=32, ge=1, description="Threads for the synchronous use cases and event store."
    )
    outbox_relay: bool = Field(
        default=True,
        description="Take part in electing the one replica that relays the outbox to Kafka; "
        "false keeps this process out of it (e.g. a one-off tool on a live database).",
    )
    projections: bool = Field(
        default=True,
        description="Take part in electing the one replica that keeps the views up to date; "
        "false keeps this process out of it (replicas that only answer calls): its views still "
        "catch up before they answer.",
    )
    jwt_public_keys: dict[str, str] = Field(
        default_factory=dict,
        description="Key id -> Ed25519 public key (PEM) that tokens may be signed with; JSON.",
    )
    jwt_issuer: str = ISSUER
    jwt_audience: str = AUDIENCE
    jwt_leeway_seconds: float = Field(default=30.0, ge=0, description="Clock skew tolerated.")

    def token_verifier(self) -> TokenVerifier:
        """Every service authenticates its callers, so a process without keys does not start."""
        if not self.jwt_public_keys:
            raise ValueError(
                "KINLINK_JWT_PUBLIC_KEYS is not set: give the identity service's public keys as "
                'JSON, {"<key id>": "<PEM>"}'
            )
        return TokenVerifier(
            self.jwt_public_keys,
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
            leeway_seconds=self.jwt_leeway_seconds,
        )

    def database_url(self, database: str) -> str | None:
        if self.postgres_dsn is None:
            return None
        return self.postgres_dsn.replace("{database}", database)
