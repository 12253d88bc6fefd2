"""Integration events the SMS gateway publishes on `kinlink.sms.events.v1`, keyed by resident id.

A family member turns SMS on for a resident (SmsTurnedOn, after verifying the number) or off
(SmsTurnedOff: by choice, by STOP, or because the carrier cannot reach the number). A resident's
message delivered to that family member is sent to the phone: SmsSent, then SmsDelivered
(charged per segment) or SmsFailed (never charged), or SmsNotSent when nothing was sent. A
family member's SMS reply is charged per segment and becomes SmsReplyReceived, which messaging
turns into a message to the resident (reviewed as any other), or SmsReplyRefused.

No event carries a phone number: facility integrations read this topic, and a resident never
learns a family member's number. SmsReplyReceived carries the reply's text, which messaging needs
to pass it on; it is the text the facility reviews anyway.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from kinlink_contracts.envelope import IntegrationEvent


class SmsOffReason(StrEnum):
    DISABLED = "disabled"  # the family member turned it off
    OPTED_OUT = "opted_out"  # the number sent STOP or a synonym
    NUMBER_UNREACHABLE = "number_unreachable"  # the carrier cannot deliver to it


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


class _SmsEvent(IntegrationEvent):
    account_id: UUID = Field(description="The family member.")
    facility_id: str = Field(examples=["FAC-DEMO"])
    resident_id: str = Field(examples=["R-1001"], description="The partition key.")


class SmsTurnedOn(_SmsEvent):
    """The family member verified a number and agreed to receive SMS for this resident."""

    consent_version: str = Field(description="The version of the consent words shown.")
    consented_at: AwareDatetime


class SmsTurnedOff(_SmsEvent):
    reason: SmsOffReason


class _OutboundSmsEvent(_SmsEvent):
    sms_id: UUID
    message_id: UUID = Field(description="The resident's message (messaging) the SMS carries.")


class SmsSent(_OutboundSmsEvent):
    """Handed to the carrier; `attempt` counts from 1 (a failed send is tried again)."""

    segments: int = Field(gt=0)
    encoding: SmsEncoding
    pictures: int = Field(default=0, ge=0, description="Sent as MMS when above 0.")
    attempt: int = Field(default=1, ge=1)


class SmsDelivered(_OutboundSmsEvent):
    """The carrier delivered it; the family member's subscription was charged per segment."""

    segments: int = Field(gt=0)
    pictures: int = Field(default=0, ge=0)
    amount_cents: int = Field(ge=0)
    payment_reference: str = Field(examples=["sms:SM0123456789abcdef0123456789abcdef"])


class SmsFailed(_OutboundSmsEvent):
    """Not delivered after every attempt; nothing was charged."""

    reason: str = Field(examples=["number_unreachable", "carrier_error"])
    carrier_error_code: int | None = Field(default=None, examples=[30003])


class SmsNotSent(_OutboundSmsEvent):
    """Nothing was sent nor charged (the message is still in the family member's inbox)."""

    reason: str = Field(examples=["insufficient_credit", "number_opted_out"])


class SmsReplyPicture(BaseModel):
    """A picture of an SMS reply (MMS), kept by the gateway: messaging fetches its bytes with
    the gateway's GetReplyPicture (the reply's `sms_id` and this `index`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    index: int = Field(ge=0)
    content_type: str = Field(examples=["image/jpeg"])
    size_bytes: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Of the bytes, hex.")


class SmsReplyReceived(_SmsEvent):
    """The family member's SMS reply, paid for: messaging makes it a message to the resident."""

    sms_id: UUID
    body: str = Field(min_length=1)
    segments: int = Field(gt=0)
    amount_cents: int = Field(ge=0)
    payment_reference: str = Field(examples=["sms:SM0123456789abcdef0123456789abcdef"])
    received_at: AwareDatetime
    pictures: tuple[SmsReplyPicture, ...] = Field(
        default=(),
        description="The pictures it carried (MMS, where the facility takes them), paid for "
        "with it and checked against the facility's image rules.",
    )


class SmsReplyRefused(_SmsEvent):
    """The family member's SMS reply was not passed on; they were told why by SMS."""

    sms_id: UUID
    reason: str = Field(examples=["insufficient_credit", "resident_released"])
