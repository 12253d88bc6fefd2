"""What the carrier reports, handed to the use cases (the webhook's handlers, or the simulated
carrier's reports): an SMS a phone sent to a Kinlink number goes to `receive_sms` (a keyword,
or a reply charged and passed on); a status goes by the reference its callback names, to the
verification code's (`code:<subscription id>`) or to the resident's message's (`sms:<id>`)."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import receive_sms
from kinlink_sms.service_layer.record_code_undeliverable import is_code_reference
from kinlink_sms.service_layer.record_code_undeliverable import record_code_status
from kinlink_sms.service_layer.sms_outcomes import record_sms_status


@dataclass
class CarrierReports:
    gateway: SmsGateway

    def inbound(self, sms: ReceivedSms) -> str | None:
        return receive_sms(self.gateway, sms)

    def status(self, reference: str, report: StatusReport) -> None:
        if is_code_reference(reference):
            record_code_status(self.gateway, reference, report)
        else:
            record_sms_status(self.gateway, reference, report)
