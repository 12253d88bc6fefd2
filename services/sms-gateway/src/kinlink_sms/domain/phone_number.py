"""A family phone as the carriers know it: opted out (it sent STOP or a synonym) until it sends
START, unreachable (its carrier's error code) until it is verified again. Nothing is sent to a
phone that is either, whoever's SMS it would be."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import FailedPrecondition

from kinlink_sms.domain.ids import phone_number_id

# Twilio's codes for a number that cannot get our SMS: 30003 unreachable handset, 30005 unknown
# number, 30006 landline or unreachable carrier, 21614 not a mobile number.
UNREACHABLE_ERROR_CODES = frozenset({30003, 30005, 30006, 21614})
# Twilio's code for a number that opted out with the carrier (STOP before we heard it).
OPTED_OUT_ERROR_CODE = 21610


class PhoneNumberOptedOut(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "phone_number_opted_out",
            "This number replied STOP: text START to the Kinlink number first.",
        )


class PhoneNumberUnreachable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "phone_number_unreachable", "We could not reach this number: try another number."
        )


class PhoneNumber(Aggregate):
    class Registered(Aggregate.Created):
        phone_number: str

    @staticmethod
    def create_id(phone_number: str) -> UUID:
        return phone_number_id(phone_number)

    @event(Registered)
    def __init__(self, phone_number: str) -> None:
        self.phone_number = phone_number
        self.opted_out_at: datetime | None = None
        self.opt_out_keyword: str | None = None
        self.unreachable_at: datetime | None = None
        self.carrier_error_code: int | None = None

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    @property
    def unreachable(self) -> bool:
        return self.unreachable_at is not None

    def check_not_opted_out(self) -> None:
        if self.opted_out:
            raise PhoneNumberOptedOut()

    def opt_out(self, word: str, at: datetime) -> None:
        """STOP (`word` as received, e.g. "UNSUBSCRIBE"); again while opted out changes nothing."""
        if not self.opted_out:
            self._opted_out(word, at.astimezone(UTC))

    @event("OptedOut")
    def _opted_out(self, keyword: str, opted_out_at: datetime) -> None:
        self.opt_out_keyword = keyword
        self.opted_out_at = opted_out_at

    def opt_in(self, at: datetime) -> None:
        if self.opted_out:
            self._opted_in(at.astimezone(UTC))

    @event("OptedIn")
    def _opted_in(self, opted_in_at: datetime) -> None:
        self.opt_out_keyword = None
        self.opted_out_at = None

    def mark_unreachable(self, carrier_error_code: int, at: datetime) -> None:
        if self.carrier_error_code != carrier_error_code:
            self._marked_unreachable(carrier_error_code, at.astimezone(UTC))

    @event("MarkedUnreachable")
    def _marked_unreachable(self, carrier_error_code: int, unreachable_at: datetime) -> None:
        self.carrier_error_code = carrier_error_code
        self.unreachable_at = unreachable_at

    def verified(self, at: datetime) -> None:
        """Its owner entered the code it received: it is reachable again."""
        if self.unreachable:
            self._reached(at.astimezone(UTC))

    @event("Reached")
    def _reached(self, reached_at: datetime) -> None:
        self.carrier_error_code = None
        self.unreachable_at = None
