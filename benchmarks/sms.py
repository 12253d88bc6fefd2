"""`make bench`: the SMS gateway.

1. segments counted: `count_segments` on one core for BENCH_SECONDS over a mix of what the
   gateway sends and receives (short and long GSM-7, a phone's smart punctuation, emoji, long
   UCS-2 in parts; residents' messages prefixed as the dispatcher prefixes them, and a family
   member's reply): segments per second and messages per second. The gateway counts every
   SMS it sends or receives once, and every `PreviewSms`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from kinlink_kit.progress import Progress
from kinlink_sms.domain.segments import Encoding
from kinlink_sms.domain.segments import count_segments

from benchmarks.harness import SECONDS

PREFIX = "Kinlink: Ada Lovelace: "
MIX = [
    PREFIX + "Hi mom, the call is on Sunday at 10. Love you.",
    PREFIX + "Thank you for the money and the photos. I read every letter twice. " * 6,
    PREFIX
    + "It\u2019s fine, I\u2019ll call you \u201ctomorrow\u201d \u2014 say hi to the kids\u2026",
    PREFIX + "Happy birthday \U0001f389\U0001f382 we love you \u2764\ufe0f\U0001f44d\U0001f3fd",
    PREFIX + "Mam\u00e1, gracias por todo. Est\u00e1 bien aqu\u00ed, no te preocupes. " * 5,
    "Yes! See you Sunday {10am} ~ bring the [papers] \u20ac20",
]
# Per second on one core: far above what the pool of numbers sends (a long code sends about one
# segment a second) or families preview.
TARGET_SEGMENTS = 10_000


@dataclass(frozen=True)
class CountingRate:
    messages: int
    segments: int
    seconds: float

    @property
    def segments_per_second(self) -> float:
        return self.segments / self.seconds

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds


def segments_counted(seconds: float = SECONDS) -> CountingRate:
    """`count_segments` over the mix in a loop on this core for `seconds`."""
    print(f"segments: counted on one core for {seconds:.0f}s", flush=True)
    progress = Progress("segments counted", out=sys.stdout)
    messages = 0
    while progress.seconds < seconds:
        progress.add(sum(count_segments(text).segments for text in MIX))
        messages += len(MIX)
    progress.finish()
    return CountingRate(messages, progress.count, progress.seconds)


def describe_mix() -> str:
    counts = [count_segments(text) for text in MIX]
    ucs2 = sum(1 for count in counts if count.encoding == Encoding.UCS2)
    return (
        f"{len(MIX)} messages of {min(c.segments for c in counts)} to "
        f"{max(c.segments for c in counts)} segments, {ucs2} in UCS-2"
    )


def main() -> None:
    counted = segments_counted()
    print("\n== Kinlink SMS gateway ==")
    print(
        f"segments:        {counted.segments_per_second:,.0f}/s counted on one core "
        f"({counted.messages_per_second:,.0f} messages/s) over {counted.seconds:.0f}s, "
        f"{describe_mix()}  (target >= {TARGET_SEGMENTS:,})"
    )


if __name__ == "__main__":
    main()
