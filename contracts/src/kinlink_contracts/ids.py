"""How facility and resident ids are spelled, for every service that keys anything by them.

They are the facilities' own ids, typed by families and officers: the spaces around them are a
slip and dropped; their case is the facility's and kept ("R-1001" and "r-1001" are two ids).
"""

from __future__ import annotations

import re

MAX_ID_LENGTH = 64
_ID = re.compile(rf"\S{{1,{MAX_ID_LENGTH}}}")


def canonical_id(raw: str) -> str:
    """The one spelling of a facility's or resident's id, as identity records it."""
    return raw.strip()


def is_well_formed_id(canonical: str) -> bool:
    """At most MAX_ID_LENGTH characters, none of them a space: ids travel as Kafka keys."""
    return _ID.fullmatch(canonical) is not None
