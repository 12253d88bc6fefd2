"""The carrier of the embedded mode: each SMS is a JSON file `<sid>.json` in a folder
(`var/sms/`), and its final status is reported a moment later by its `reporting` job to the
callback it is given, as Twilio's status callback would.

What happens to an SMS depends on the number it is sent to:
- Twilio's magic test numbers (+1 500-555-000N) are refused at once, as Twilio's test
  credentials refuse them;
- a US number +1 NPA 555-XXXX whose XXXX are the last four digits of a Twilio error the gateway
  acts on gets that error: 21211 (555-1211, not a number), 21408 (555-1408, region not
  enabled), 21610 (555-1610, the number sent STOP), 21612 (555-1612, not reachable by SMS) and
  21614 (555-1614, not a mobile) refuse the send; 30003 (555-0003, unreachable), 30005
  (555-0005, unknown) and 30006 (555-0006, a landline) are sent, then reported undelivered;
- every other number is delivered.

Pictures a phone sent (MMS) are files in `media/` under the folder: a media URL names one by
its last part, and its content type is guessed from its name.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import queue
import re
import uuid
from collections.abc import Callable
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger

from kinlink_sms.domain.ports import CarrierReceipt
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import FetchedPicture
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import PictureGone
from kinlink_sms.domain.ports import StatusReport

log = get_logger(__name__)

TWILIO_ERRORS = {
    21211: "The 'To' number is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number is not currently reachable via SMS.",
    21614: "'To' number is not a valid mobile number",
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
}
# Twilio's magic "To" numbers and the error each is refused with.
TEST_NUMBERS = {
    "+15005550001": 21211,
    "+15005550002": 21612,
    "+15005550003": 21408,
    "+15005550004": 21610,
    "+15005550009": 21614,
}
_SIMULATED_NUMBER = re.compile(r"\+1\d{3}555(\d{4})")
_DELIVERY_ERRORS = 30000  # and above: reported after sending, not refused at once
NO_SUCH_MESSAGE = 20404  # Twilio's "The requested resource was not found"

ReportStatus = Callable[[str, StatusReport], None]  # (the SMS's reference, its status)


@dataclass(frozen=True)
class _Report:
    reference: str
    status: StatusReport


def twilio_error_for(to: str) -> int | None:
    """The Twilio error an SMS to `to` meets in the simulation (see above), or None."""
    if to in TEST_NUMBERS:
        return TEST_NUMBERS[to]
    simulated = _SIMULATED_NUMBER.fullmatch(to)
    if simulated is None:
        return None
    return next((code for code in TWILIO_ERRORS if f"{code:05d}"[1:] == simulated[1]), None)


class SimulatedCarrier:
    def __init__(self, folder: Path, retry_seconds: float = 1.0) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._folder = folder
        self._retry_seconds = retry_seconds
        self._reports: queue.SimpleQueue[_Report] = queue.SimpleQueue()

    def send(self, sms: OutgoingSms) -> CarrierReceipt:
        error_code = twilio_error_for(sms.to)
        if error_code is not None and error_code < _DELIVERY_ERRORS:
            raise CarrierRefused(error_code, TWILIO_ERRORS[error_code])
        sid = ("MM" if sms.media_urls else "SM") + uuid.uuid4().hex
        final = StatusReport(
            sid=sid,
            status=CarrierStatus.DELIVERED if error_code is None else CarrierStatus.UNDELIVERED,
            error_code=error_code,
        )
        record = {
            "sid": sid,
            "reference": sms.reference,
            "to": sms.to,
            "from": sms.from_,
            "body": sms.body,
            "media_urls": list(sms.media_urls),
            "status": final.status.value,
            "error_code": error_code,
        }
        written = self._folder / f"{sid}.json.tmp"
        written.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
        written.replace(self._folder / f"{sid}.json")  # whole or not at all
        self._reports.put(_Report(sms.reference, final))
        return CarrierReceipt(sid=sid, status=CarrierStatus.QUEUED)

    def status(self, sid: str) -> StatusReport:
        try:
            record = json.loads((self._folder / f"{sid}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CarrierRefused(NO_SUCH_MESSAGE, f"No message {sid}.") from None
        return StatusReport(sid, CarrierStatus(record["status"]), record["error_code"])

    def fetch_picture(self, url: str) -> FetchedPicture:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        path = self._folder / "media" / name
        if not name or name.startswith(".") or not path.is_file():
            raise PictureGone()
        content_type, _ = mimetypes.guess_type(name)
        return FetchedPicture(path.read_bytes(), content_type or "application/octet-stream")

    def reporting(self, report: ReportStatus) -> Callable[[], Coroutine[Any, Any, None]]:
        """The background job reporting each SMS's status to `report` after its send
        returned, until cancelled. A report the gateway cannot take yet (`Unavailable`) is
        made again later; one lost (another error, or the process stopped) is found by asking
        `status`, as with Twilio."""

        async def report_statuses() -> None:
            await self._report_to(report)

        return report_statuses

    async def _report_to(self, report_status: ReportStatus) -> None:
        while True:
            try:
                report = self._reports.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.05)
                continue
            try:
                await asyncio.to_thread(report_status, report.reference, report.status)
            except Unavailable:
                log.warning("sms status not taken; reported again", sid=report.status.sid)
                asyncio.get_running_loop().call_later(
                    self._retry_seconds, self._reports.put, report
                )
            except Exception:
                log.exception("sms status report failed", sid=report.status.sid)
