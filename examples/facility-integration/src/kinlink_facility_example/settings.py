"""Where the facility system finds Kafka, which facility it is, and where it keeps its books."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Self

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
class FacilitySettings:
    kafka_bootstrap: str
    facility_id: str
    state_file: Path
    consumer_group: str
    topics: Topics = field(default_factory=Topics)

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
        )
