"""`kinlink-commissary`: the commissary as its own process (distributed mode), configured by
KINLINK_*."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service


def main() -> None:
    run_service(
        CommissarySettings(),
        lambda settings, bus: commissary_service(settings, bus, build_commissary(settings)),
    )


if __name__ == "__main__":
    main()
