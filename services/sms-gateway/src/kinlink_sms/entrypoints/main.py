"""`kinlink-sms-gateway`: the SMS gateway as its own process (distributed mode), configured by
KINLINK_*; `migrate` creates its tables and exits."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.bootstrap import create_sms_gateway_tables
from kinlink_sms.bootstrap import sms_gateway_service


def main() -> None:
    run_service(
        SmsSettings(),
        lambda settings, bus: sms_gateway_service(settings, bus, build_sms_gateway(settings)),
        create_sms_gateway_tables,
    )


if __name__ == "__main__":
    main()
