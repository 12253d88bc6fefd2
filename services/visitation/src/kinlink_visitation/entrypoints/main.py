"""`kinlink-visitation`: visitation as its own process (distributed mode), configured by
KINLINK_*."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import visitation_service


def main() -> None:
    run_service(
        VisitationSettings(),
        lambda settings, bus: visitation_service(settings, bus, build_visitation(settings)),
    )


if __name__ == "__main__":
    main()
