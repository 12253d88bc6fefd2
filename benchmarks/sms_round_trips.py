"""`make bench`: SMS round trips through the Twilio stand-in.

A round trip is what the gateway's carrier does for every SMS: the send through Twilio's SDK to
the stand-in (auth and shape checked, recorded, answered), then the status callback the stand-in
signs, posted to the webhook served by uvicorn, verified with the auth token and handed to its
handler. THREADS senders at once for BENCH_SECONDS: round trips per second, and each part's
median.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field

import httpx
from kinlink_kit.progress import Progress
from kinlink_sms.adapters.twilio_carrier import TwilioCarrier
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.entrypoints.webhook import WebhookServer
from kinlink_sms.entrypoints.webhook import create_webhook

from benchmarks.harness import SECONDS
from benchmarks.harness import free_port
from tests.twilio_standin import TwilioStandin

PUBLIC_URL = "https://sms.kinlink.example"
THREADS = 8
# A Twilio long code sends about one segment a second: a pool of a hundred numbers needs 100.
TARGET_ROUND_TRIPS = 100


@dataclass
class Statuses:
    """The webhook's handlers: counts what reached them."""

    taken: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inbound(self, sms: ReceivedSms) -> str | None:
        raise AssertionError("the benchmark sends no inbound SMS")

    def status(self, reference: str, report: StatusReport) -> None:
        with self.lock:
            self.taken += 1


@dataclass(frozen=True)
class RoundTrips:
    count: int
    seconds: float
    send_ms: float  # medians
    callback_ms: float
    handled: int

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


def sender(
    carrier: TwilioCarrier,
    standin: TwilioStandin,
    webhook: str,
    until: float,
    progress: Progress,
    timings: list[tuple[float, float]],
) -> None:
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() < until:
            started = time.perf_counter()
            sid = carrier.send(
                OutgoingSms(
                    f"sms:{progress.count}", "+12025550123", "+15005550006", "Kinlink: Ada: hi"
                )
            ).sid
            sent = time.perf_counter()
            callback = standin.report_status(sid, "delivered")
            answer = client.post(
                callback.url.replace(PUBLIC_URL, webhook),
                content=callback.content,
                headers=callback.headers,
            )
            assert answer.status_code == 204, answer
            timings.append((sent - started, time.perf_counter() - sent))
            progress.add(1)


async def listening(port: int) -> None:
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


async def round_trips(seconds: float = SECONDS) -> RoundTrips:
    print(f"sms round trips: {THREADS} senders for {seconds:.0f}s", flush=True)
    standin = TwilioStandin().start()
    handlers = Statuses()
    port = free_port()
    server = WebhookServer(
        create_webhook(handlers, standin.auth_token, PUBLIC_URL), "127.0.0.1", port, 5
    )
    job = asyncio.create_task(server.run())
    try:
        await listening(port)
        progress = Progress("sms round trips", out=sys.stdout)
        timings: list[tuple[float, float]] = []
        until = time.perf_counter() + seconds
        webhook = f"http://127.0.0.1:{port}"
        carrier = TwilioCarrier(standin.account(PUBLIC_URL))  # one, shared, as in the service
        # Senders in threads of their own: the webhook's handlers take the default executor's.
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(THREADS, thread_name_prefix="sender") as senders:
            await asyncio.gather(
                *(
                    loop.run_in_executor(
                        senders, sender, carrier, standin, webhook, until, progress, timings
                    )
                    for _ in range(THREADS)
                )
            )
        progress.finish()
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
        standin.stop()
    return RoundTrips(
        count=progress.count,
        seconds=progress.seconds,
        send_ms=1000 * statistics.median(send for send, _ in timings),
        callback_ms=1000 * statistics.median(callback for _, callback in timings),
        handled=handlers.taken,
    )


def main() -> None:
    measured = asyncio.run(round_trips())
    print("\n== Kinlink SMS gateway through the Twilio stand-in ==")
    print(
        f"round trips:     {measured.per_second:,.0f}/s ({measured.count:,} in "
        f"{measured.seconds:.0f}s, {THREADS} senders, every callback verified and handled: "
        f"{measured.handled:,}); median send {measured.send_ms:.1f} ms, callback "
        f"{measured.callback_ms:.1f} ms  (target >= {TARGET_ROUND_TRIPS})"
    )


if __name__ == "__main__":
    main()
