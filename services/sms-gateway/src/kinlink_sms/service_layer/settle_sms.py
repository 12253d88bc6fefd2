"""The settle sweep of outbound SMS, for what the carrier's callbacks did not settle within
`after`: an SMS sent without a final status is asked about (`Carrier.status`: a lost
callback); one whose attempt was recorded but whose SID never was (the carrier unreachable, or
the process died before its record) counts as a failed attempt, tried again later; one
delivered but not charged (the ledger was unreachable) is charged, once for its SID.

Idempotent: settled twice (two rounds, a callback meanwhile), an SMS ends the same, charged
once at most.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger

from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.sms_outcomes import attempt_failed
from kinlink_sms.service_layer.sms_outcomes import charge_delivered
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

log = get_logger(__name__)
# What the carrier says of an SMS it is done with.
_FINAL = frozenset({CarrierStatus.DELIVERED, CarrierStatus.FAILED, CarrierStatus.UNDELIVERED})


def settle_sms(gateway: SmsGateway, after: timedelta) -> int:
    """How many SMS were looked at."""
    settled = 0
    for sms_id in gateway.views.outbound.unsettled(gateway.clock() - after):
        try:
            _settle(gateway, sms_id, after)
        except Unavailable as error:
            log.warning("sms settle sweep waits for the next round", code=error.code)
            break
        except Exception:
            log.exception("sms not settled; the next round tries again", sms_id=str(sms_id))
            continue
        settled += 1
    return settled


def _settle(gateway: SmsGateway, sms_id: UUID, after: timedelta) -> None:
    sms = gateway.find(sms_id, OutboundSms)
    if sms is None:
        return
    if sms.unpaid_delivery:
        charge_delivered(gateway, sms_id)
        return
    started = sms.attempt_started_at
    # The view may lag behind the store: only what has waited `after` since its attempt.
    if started is None or gateway.clock() - started < after:
        return
    if sms.status is OutboundStatus.SENDING:
        log.warning("sms attempt without a sid; tried again", sms_id=str(sms_id))
        attempt_failed(gateway, sms_id, None)
    elif sms.status is OutboundStatus.SENT and sms.sid is not None:
        report = gateway.carrier.status(sms.sid)
        if report.status in _FINAL:
            record_sms_status(gateway, sms.callback_reference, report)
