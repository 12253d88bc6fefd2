"""Settings every service reads from the environment (prefix KINLINK_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Common settings; a service subclasses this to add its own.

    With no Kafka bootstrap the service uses the in-memory bus, and with no PostgreSQL DSN it keeps
    its events in SQLite under `data_dir`: that is the embedded mode.
    """

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    service_name: str = "kinlink"
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0 disables /metrics.")
    log_level: str = "INFO"
    kafka_bootstrap: str | None = Field(default=None, examples=["127.0.0.1:19092"])
    postgres_dsn: str | None = Field(
        default=None,
        description="postgresql://user:password@host:port/{database}; {database} is replaced.",
    )
    postgres_pool_size: int = 10
    data_dir: Path = Path("var")
    shutdown_grace_seconds: float = 10.0
    worker_threads: int = Field(
        default=32, ge=1, description="Threads for the synchronous use cases and event store."
    )

    def database_url(self, database: str) -> str | None:
        if self.postgres_dsn is None:
            return None
        return self.postgres_dsn.replace("{database}", database)
