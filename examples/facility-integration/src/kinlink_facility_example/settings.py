"""Where the facility system finds Kafka, which facility it is, and where it keeps its books."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Self

from aiokafka.helpers import create_ssl_context
from kinlink_contracts import topics


@dataclass(frozen=True)
class Topics:
    """Kinlink's topics this system writes and follows; the contract's names unless a test
    gives it private ones."""

    facility: str = topics.FACILITY_EVENTS
    ledger: str = topics.LEDGER_EVENTS
    commissary: str = topics.COMMISSARY_EVENTS

    def followed(self) -> tuple[str, ...]:
        return (self.ledger, self.commissary)


@dataclass(frozen=True)
class KafkaSignIn:
    """How the facility's Kafka clients reach Kinlink's brokers: in production over TLS
    (`SASL_SSL`) as the facility's Kafka user (SCRAM), trusting the cluster's CA certificate."""

    protocol: str = "PLAINTEXT"  # PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
    mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """KINLINK_KAFKA_SECURITY_PROTOCOL, _SASL_MECHANISM, _USERNAME, _PASSWORD, _CA_FILE."""
        ca_file = environ.get("KINLINK_KAFKA_CA_FILE")
        return cls(
            protocol=environ.get("KINLINK_KAFKA_SECURITY_PROTOCOL", cls.protocol),
            mechanism=environ.get("KINLINK_KAFKA_SASL_MECHANISM", cls.mechanism),
            username=environ.get("KINLINK_KAFKA_USERNAME"),
            password=environ.get("KINLINK_KAFKA_PASSWORD"),
            ca_file=Path(ca_file) if ca_file else None,
        )

    def client_options(self) -> dict[str, Any]:
        """aiokafka's keyword arguments for connecting and signing in."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.protocol in ("SSL", "SASL_SSL"):
            options["ssl_context"] = create_ssl_context(cafile=self.ca_file)
        if self.protocol.startswith("SASL_"):
            if not (self.username and self.password):
                raise ValueError(
                    f"set KINLINK_KAFKA_USERNAME and KINLINK_KAFKA_PASSWORD: {self.protocol} "
                    "signs in as the facility's Kafka user"
                )
            options |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return options


@dataclass(frozen=True)
class FacilitySettings:
    kafka_bootstrap: str
    facility_id: str
    state_file: Path
    consumer_group: str
    topics: Topics = field(default_factory=Topics)
    sign_in: KafkaSignIn = field(default_factory=KafkaSignIn)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **given: str | None) -> Self:
        """`KINLINK_KAFKA_BOOTSTRAP` and `KINLINK_FACILITY_ID` (or the same names in `given`,
        e.g. from the command line); the books in `facility-<id>.sqlite` and the consumer group
        `facility-<id>` unless `KINLINK_FACILITY_STATE_FILE` / `KINLINK_FACILITY_CONSUMER_GROUP`
        say otherwise."""

        def setting(name: str, default: str | None = None) -> str:
            value = given.get(name) or environ.get(f"KINLINK_{name.upper()}") or default
            if not value:
                raise ValueError(f"set KINLINK_{name.upper()} or --{name.replace('_', '-')}")
            return value

        facility_id = setting("facility_id")
        return cls(
            kafka_bootstrap=setting("kafka_bootstrap"),
            facility_id=facility_id,
            state_file=Path(setting("facility_state_file", f"facility-{facility_id}.sqlite")),
            consumer_group=setting("facility_consumer_group", f"facility-{facility_id}"),
            sign_in=KafkaSignIn.from_env(environ),
        )
