"""`kinlink-visitation`: visitation as its own process (distributed mode), configured by
KINLINK_*; `migrate` creates its tables and exits."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import create_visitation_tables
from kinlink_visitation.bootstrap import visitation_service


def main() -> None:
    run_service(
        VisitationSettings(),
        lambda settings, bus: visitation_service(settings, bus, build_visitation(settings)),
        create_visitation_tables,
    )


if __name__ == "__main__":
    main()
