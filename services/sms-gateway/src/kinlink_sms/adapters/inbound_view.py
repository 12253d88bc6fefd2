"""Inbound SMS not settled yet: received, neither passed on nor refused (the charge's answer was
lost, or the process stopped before asking), for the settle sweep. Rows carry each SMS's version:
a projector of another replica that lags behind never brings back an older status."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus


def _instant(at: datetime) -> str:
    """A UTC instant as text that sorts as time does (always with microseconds)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


class InboundProjection(Projection):
    name = "inbound_sms"
    event_types = (InboundSms.Received, InboundSms.PassedOn, InboundSms.Refused)
    ddl = """
    CREATE TABLE IF NOT EXISTS inbound_sms (
        inbound_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS inbound_sms_by_status ON inbound_sms (status, received_at)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {"id": str(domain_event.originator_id), "version": domain_event.originator_version}
        if isinstance(domain_event, InboundSms.Received):
            cursor.execute(
                "INSERT INTO inbound_sms (inbound_id, version, status, received_at) "
                "VALUES (:id, :version, :status, :received_at) ON CONFLICT (inbound_id) DO NOTHING",
                {
                    **row,
                    "status": InboundStatus.RECEIVED.value,
                    "received_at": _instant(domain_event.received_at),
                },
            )
            return
        settled = (
            InboundStatus.PASSED_ON
            if isinstance(domain_event, InboundSms.PassedOn)
            else InboundStatus.REFUSED
        )
        cursor.execute(
            "UPDATE inbound_sms SET version = :version, status = :status "
            "WHERE inbound_id = :id AND version < :version",
            {**row, "status": settled.value},
        )

    def unsettled(self, received_by: datetime) -> list[UUID]:
        """Inbound SMS received by then and still neither passed on nor refused, oldest first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT inbound_id FROM inbound_sms WHERE status = :status "
            "AND received_at <= :before ORDER BY received_at",
            {"status": InboundStatus.RECEIVED.value, "before": _instant(received_by)},
        )
        return [UUID(row["inbound_id"]) for row in rows]
