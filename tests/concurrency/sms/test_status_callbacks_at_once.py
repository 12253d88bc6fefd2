"""Status callbacks of one SMS arriving at once at two gateway replicas on one PostgreSQL
database: the same delivery repeated, and the deliveries of two sends of it (the first one's
SID never recorded: its process died), each reported several times. One delivery is recorded,
one charge made, for one SID."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.outbound_sms import SmsContent
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.sms_outcomes import OutboundSmsNotFound
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

from tests.integration.sms.conftest import open_gateway
from tests.integration.sms.outbound import delivered
from tests.integration.sms.outbound import family
from tests.integration.sms.outbound import only
from tests.integration.sms.outbound import turned_on
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import SmsOutside

REPEATS = 6  # reports of each SID, spread over the two replicas


@pytest.fixture
def replicas(
    infra: Infra, fresh_database: str, clock: Clock
) -> Iterator[tuple[SmsOutside, list[SmsGateway]]]:
    settings = SmsSettings(
        postgres_dsn=infra.postgres_url(fresh_database),
        kafka_bootstrap=None,
        sms_numbers=list(KINLINK_NUMBERS),
    )
    outside = SmsOutside()
    gateways = [open_gateway(settings, outside, clock) for _ in range(2)]
    yield outside, gateways
    for gateway in gateways:
        gateway.close()


def test_deliveries_reported_at_once_are_charged_once(
    replicas: tuple[SmsOutside, list[SmsGateway]], clock: Clock
) -> None:
    outside, (one, other) = replicas
    account = family(outside)
    turned_on(one, account)
    delivered(one, outside, account)
    sms = only(one, account)

    def attempting(sms: OutboundSms) -> None:
        content = SmsContent(
            "+15551230001", KINLINK_NUMBERS[0], "Kinlink: Ada: Hi", 1, "gsm7", 0, 5
        )
        sms.start_attempt(content, clock.now)

    one.change(sms.id, OutboundSms, attempting, missing=OutboundSmsNotFound)  # SID never recorded
    reports = [
        (gateway, StatusReport(sid, CarrierStatus.DELIVERED))
        for sid in ("SMfirst", "SMsecond")
        for gateway in (one, other)
        for _ in range(REPEATS // 2)
    ]
    with ThreadPoolExecutor(max_workers=len(reports)) as pool:
        outcomes = list(
            pool.map(lambda job: record_sms_status(job[0], sms.callback_reference, job[1]), reports)
        )
    assert len(outcomes) == len(reports)
    settled = only(one, account)
    assert settled.status is OutboundStatus.DELIVERED and settled.payment is not None
    assert outside.wallet.charged(account) == [settled.payment]
    assert settled.payment.reference == f"sms:{settled.sid}"
    assert outside.wallet.balance(account) == 95
