"""Which SMS subscription a conversation (a family phone and a Kinlink number) belongs to.

Each resident a phone follows talks to it from a Kinlink number of its own, so a reply finds
its resident by (From, To) alone (decision 0042). A phone's first free number in the pool is
taken by saving its route with the subscription: two subscriptions taking the same number at
once collide on the route's id, and the loser takes the next.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import ResourceExhausted

from kinlink_sms.domain.ids import number_route_id


class SmsNumbersExhausted(ResourceExhausted):
    def __init__(self) -> None:
        super().__init__(
            "sms_numbers_exhausted",
            "This phone already gets SMS for as many residents as Kinlink has numbers.",
        )


class NumberRoute(Aggregate):
    class Taken(Aggregate.Created):
        phone_number: str
        kinlink_number: str
        subscription_id: UUID

    @staticmethod
    def create_id(phone_number: str, kinlink_number: str) -> UUID:
        return number_route_id(phone_number, kinlink_number)

    @event(Taken)
    def __init__(self, phone_number: str, kinlink_number: str, subscription_id: UUID) -> None:
        self.phone_number = phone_number
        self.kinlink_number = kinlink_number
        self.subscription_id = subscription_id
