"""`kinlink-identity`: identity as its own process (distributed mode), configured by KINLINK_*;
`migrate` creates its tables and exits."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import create_identity_tables
from kinlink_identity.bootstrap import identity_service


def main() -> None:
    run_service(
        IdentitySettings(),
        lambda settings, bus: identity_service(settings, bus, build_identity(settings)),
        create_identity_tables,
    )


if __name__ == "__main__":
    main()
