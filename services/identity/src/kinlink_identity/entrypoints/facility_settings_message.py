"""FacilitySettings between the proto message and the contract's pydantic model (the way
back, shared with clients, is kinlink_contracts.facility_settings_message).

proto3 cannot tell a zero or empty field from one left out, so those mean "the default" wherever
the model has one (an id_verification_threshold_cents of 0 means none); fee tiers and visiting
windows are taken whole, since a fee of 0 is a real fee.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings_message import settings_message


def settings_of(message: pb.FacilitySettings) -> dict[str, Any]:
    """FacilitySettings' fields as the request gives them, to be validated by the use case."""
    fields = _present(message)
    fields["name"] = message.name
    fields["time_zone"] = message.time_zone
    fields["deposit_fee_tiers"] = [
        {"up_to_cents": tier.up_to_cents, "fee_cents": tier.fee_cents}
        for tier in message.deposit_fee_tiers
    ]
    fields["visiting_hours"] = [
        {"day": window.day, "opens": window.opens, "closes": window.closes}
        for window in message.visiting_hours
    ]
    if message.HasField("image_rules"):
        fields["image_rules"] = _present(message.image_rules)
    return fields


def _present(message: Message) -> dict[str, Any]:
    """The fields set to something other than zero or empty."""
    return {
        field.name: list(value) if field.is_repeated else value
        for field, value in message.ListFields()
    }


def facility_message(facility_id: str, revision: int, settings: FacilitySettings) -> pb.Facility:
    return pb.Facility(
        facility_id=facility_id, revision=revision, settings=settings_message(settings)
    )
