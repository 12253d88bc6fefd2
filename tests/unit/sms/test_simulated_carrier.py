"""The embedded mode's carrier: each SMS a file under its folder, its status reported after the
send returned, and Twilio's test numbers answered as Twilio answers them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from kinlink_kit.testing import eventually
from kinlink_sms.adapters.simulated_carrier import SimulatedCarrier
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import StatusReport

REFERENCE = "sms:2f1c5e0a-9b7d-4c3e-8a61-0d2b9e4f7a15"


def an_sms(to: str = "+12025550123", media_urls: tuple[str, ...] = ()) -> OutgoingSms:
    return OutgoingSms(REFERENCE, to, "+15005550006", "Kinlink: Ada Lovelace: Hello", media_urls)


class Reports:
    """The status handler the carrier is given; refuses the first `unavailable` reports."""

    def __init__(self, unavailable: int = 0) -> None:
        self.taken: list[tuple[str, StatusReport]] = []
        self.unavailable = unavailable

    def __call__(self, reference: str, report: StatusReport) -> None:
        if self.unavailable:
            self.unavailable -= 1
            raise CarrierUnavailable()
        self.taken.append((reference, report))


async def until_reported(reports: Reports) -> None:
    async def reported() -> bool:
        return bool(reports.taken)

    await eventually(reported)


@pytest.fixture
def reports() -> Reports:
    return Reports()


@pytest.fixture
async def carrier(tmp_path: Path, reports: Reports) -> AsyncIterator[SimulatedCarrier]:
    carrier = SimulatedCarrier(tmp_path / "sms", retry_seconds=0.01)
    job = asyncio.create_task(carrier.reporting(reports)())
    yield carrier
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job


@pytest.mark.parametrize("to", ["+12025550123", "+13125551234", "+13125550004"])
async def test_an_sms_is_written_then_reported_delivered(
    carrier: SimulatedCarrier, reports: Reports, tmp_path: Path, to: str
) -> None:
    receipt = carrier.send(an_sms(to))

    assert receipt.status is CarrierStatus.QUEUED
    assert receipt.sid.startswith("SM") and len(receipt.sid) == 34
    written = json.loads((tmp_path / "sms" / f"{receipt.sid}.json").read_text())
    assert written == {
        "sid": receipt.sid,
        "reference": REFERENCE,
        "to": to,
        "from": "+15005550006",
        "body": "Kinlink: Ada Lovelace: Hello",
        "media_urls": [],
        "status": "delivered",
        "error_code": None,
    }

    await until_reported(reports)
    assert reports.taken == [(REFERENCE, StatusReport(receipt.sid, CarrierStatus.DELIVERED))]


async def test_an_mms_is_named_as_twilio_names_one(carrier: SimulatedCarrier) -> None:
    assert carrier.send(an_sms(media_urls=("https://images.kinlink.example/a.jpg",))).sid[:2] == (
        "MM"
    )


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+15005550001", 21211),  # Twilio's test numbers
        ("+15005550002", 21612),
        ("+15005550004", 21610),
        ("+15005550009", 21614),
        ("+13125551211", 21211),  # +1 NPA 555 and a Twilio code's last four digits
        ("+12025551408", 21408),
        ("+13125551610", 21610),
        ("+13125551612", 21612),
        ("+13125551614", 21614),
    ],
)
async def test_the_refused_numbers_are_refused_with_their_code_and_nothing_is_written(
    carrier: SimulatedCarrier, reports: Reports, tmp_path: Path, to: str, code: int
) -> None:
    with pytest.raises(CarrierRefused) as refused:
        carrier.send(an_sms(to))

    assert refused.value.carrier_error_code == code
    assert list((tmp_path / "sms").iterdir()) == []
    sent = carrier.send(an_sms()).sid  # reported after anything queued before it

    await until_reported(reports)
    assert [report.sid for _, report in reports.taken] == [sent]


@pytest.mark.parametrize(
    ("to", "code"), [("+13125550003", 30003), ("+12025550005", 30005), ("+13125550006", 30006)]
)
async def test_the_unreachable_numbers_are_reported_undelivered_with_their_error(
    carrier: SimulatedCarrier, reports: Reports, to: str, code: int
) -> None:
    sid = carrier.send(an_sms(to)).sid

    await until_reported(reports)
    assert reports.taken == [(REFERENCE, StatusReport(sid, CarrierStatus.UNDELIVERED, code))]
    assert carrier.status(sid) == StatusReport(sid, CarrierStatus.UNDELIVERED, code)


async def test_a_report_the_gateway_cannot_take_yet_is_made_again(
    tmp_path: Path,
) -> None:
    reports = Reports(unavailable=3)
    carrier = SimulatedCarrier(tmp_path, retry_seconds=0.01)
    job = asyncio.create_task(carrier.reporting(reports)())
    sid = carrier.send(an_sms()).sid

    await until_reported(reports)
    job.cancel()
    assert reports.unavailable == 0
    assert reports.taken == [(REFERENCE, StatusReport(sid, CarrierStatus.DELIVERED))]


def test_a_lost_report_is_found_by_asking_the_status(tmp_path: Path) -> None:
    sid = SimulatedCarrier(tmp_path).send(an_sms()).sid  # no reporting job: never reported

    restarted = SimulatedCarrier(tmp_path)

    assert restarted.status(sid) == StatusReport(sid, CarrierStatus.DELIVERED)


def test_a_message_it_never_sent_is_refused_as_twilio_refuses_it(tmp_path: Path) -> None:
    with pytest.raises(CarrierRefused) as refused:
        SimulatedCarrier(tmp_path).status("SM" + "0" * 32)

    assert refused.value.carrier_error_code == 20404
