"""The Kinlink number a subscription talks to a phone from (decision 0042): the one its route
already names, else the first of the pool no other conversation of that phone has."""

from __future__ import annotations

from uuid import UUID

from kinlink_sms.domain.number_route import NumberRoute
from kinlink_sms.domain.number_route import SmsNumbersExhausted
from kinlink_sms.service_layer.gateway import SmsGateway


def route_for(
    gateway: SmsGateway, phone_number: str, subscription_id: UUID
) -> tuple[str, NumberRoute | None]:
    """The Kinlink number, and its route when it is new (to save with the subscription: a
    route taken meanwhile collides on its id, and the retry takes the next)."""
    free: str | None = None
    for number in gateway.options.kinlink_numbers:
        route = gateway.find(NumberRoute.create_id(phone_number, number), NumberRoute)
        if route is not None and route.subscription_id == subscription_id:
            return number, None
        if route is None and free is None:
            free = number
    if free is None:
        raise SmsNumbersExhausted()
    return free, NumberRoute(phone_number, free, subscription_id)


def routes_of(gateway: SmsGateway, phone_number: str) -> list[NumberRoute]:
    """Every conversation of the phone, one per Kinlink number it talks to."""
    routes = (
        gateway.find(NumberRoute.create_id(phone_number, number), NumberRoute)
        for number in gateway.options.kinlink_numbers
    )
    return [route for route in routes if route is not None]
