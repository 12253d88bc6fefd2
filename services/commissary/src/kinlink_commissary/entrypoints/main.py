"""`kinlink-commissary`: the commissary as its own process (distributed mode), configured by
KINLINK_*; `migrate` creates its tables and exits."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.bootstrap import create_commissary_tables


def main() -> None:
    run_service(
        CommissarySettings(),
        lambda settings, bus: commissary_service(settings, bus, build_commissary(settings)),
        create_commissary_tables,
    )


if __name__ == "__main__":
    main()
