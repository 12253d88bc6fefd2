"""PreviewSms: what a text would cost as SMS at a facility before it is sent: its encoding and
segments, the characters that made it UCS-2 with their replacements, and the plain text
suggested instead with its cost."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_contracts.ids import canonical_id
from kinlink_kit.errors import InvalidArgument

from kinlink_sms.domain.segments import SegmentCount
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.segments import plain_text
from kinlink_sms.domain.subscription import SmsUnavailable
from kinlink_sms.service_layer.gateway import SmsGateway


class BodyMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("body_missing", "Write the text to preview.")


@dataclass(frozen=True)
class SmsPreview:
    count: SegmentCount
    price_per_segment_cents: int
    suggested_body: str
    suggested: SegmentCount

    @property
    def total_cents(self) -> int:
        return self.count.segments * self.price_per_segment_cents

    @property
    def suggested_total_cents(self) -> int:
        return self.suggested.segments * self.price_per_segment_cents


def preview_sms(gateway: SmsGateway, facility_id: str, body: str) -> SmsPreview:
    if not body:
        raise BodyMissing()
    facility = gateway.directory.facility(canonical_id(facility_id))
    if not facility.sms_available:
        raise SmsUnavailable()
    suggested_body = plain_text(body)
    return SmsPreview(
        count=count_segments(body),
        price_per_segment_cents=facility.message_price_cents,
        suggested_body=suggested_body,
        suggested=count_segments(suggested_body),
    )
