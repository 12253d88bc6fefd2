"""What the tests of every service share: the real infrastructure, storage on SQLite and on
PostgreSQL, a clock moved by hand, refusals, serving and waiting, the processor's test cards.

For tests only: it needs pytest, which the services themselves never import. The fixtures
(`infra`, `fresh_database`, `clock`) come from the plugin `kinlink_kit.testing.fixtures`, named in
the tests' root conftest (`pytest_plugins`).
"""

from kinlink_kit.testing.cards import TEST_CARDS
from kinlink_kit.testing.clock import Clock
from kinlink_kit.testing.infra import STORAGES
from kinlink_kit.testing.infra import Infra
from kinlink_kit.testing.infra import settings_on
from kinlink_kit.testing.refusals import Refusal
from kinlink_kit.testing.refusals import refusal_of
from kinlink_kit.testing.refusals import refused
from kinlink_kit.testing.refusals import refused_over_grpc
from kinlink_kit.testing.serving import eventually
from kinlink_kit.testing.serving import free_port
from kinlink_kit.testing.serving import serving

__all__ = [
    "STORAGES",
    "TEST_CARDS",
    "Clock",
    "Infra",
    "Refusal",
    "eventually",
    "free_port",
    "refusal_of",
    "refused",
    "refused_over_grpc",
    "serving",
    "settings_on",
]
