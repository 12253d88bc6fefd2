"""How the SMS gateway reaches its carrier, from the environment: Twilio's Messages API when
`KINLINK_TWILIO_ACCOUNT_SID` is set, else the simulated carrier writing under the data directory
(embedded mode); and where Twilio's signed webhooks arrive."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kinlink_kit.settings import ServiceSettings
from pydantic import Field
from pydantic import SecretStr

# The webhook's routes, below KINLINK_SMS_WEBHOOK_PUBLIC_URL: Twilio signs the whole URL.
INBOUND_ROUTE = "/sms/inbound"
STATUS_ROUTE = "/sms/status/{reference}"


@dataclass(frozen=True)
class TwilioAccount:
    sid: str
    auth_token: str
    api_base_url: str
    webhook_public_url: str
    timeout_seconds: float = 10.0


class TwilioSettings(ServiceSettings):
    twilio_account_sid: str | None = Field(
        default=None,
        description="The Twilio account (AC...) the SMS are sent from; unset: the simulated "
        "carrier writes each SMS under `sms` in the data directory.",
        examples=["AC00000000000000000000000000000000"],
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="The account's auth token: signs the API calls and Twilio's webhooks.",
    )
    twilio_api_base_url: str = Field(
        default="https://api.twilio.com",
        description="Where the SDK sends its Messages API calls (a stand-in in the tests).",
    )
    twilio_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long one call to Twilio may take before the carrier is reported "
        "unavailable (a send whose answer was lost may have gone out).",
    )
    sms_webhook_public_url: str | None = Field(
        default=None,
        description="The URL Twilio reaches the webhook at, as configured in Twilio (no "
        "trailing slash): status callbacks are asked below it and every request is verified "
        "against it, since Twilio signs the URL it called.",
        examples=["https://sms.kinlink.example"],
    )
    sms_webhook_host: str = Field(
        default="127.0.0.1", description="Address the webhook binds: 0.0.0.0 in a container."
    )
    sms_webhook_port: int = Field(
        default=8085, ge=0, le=65535, description="Port of the webhook (inbound SMS, statuses)."
    )

    def twilio_account(self) -> TwilioAccount | None:
        """The Twilio account to use, or None for the simulated carrier (no account SID)."""
        if self.twilio_account_sid is None:
            return None
        if self.twilio_auth_token is None or self.sms_webhook_public_url is None:
            raise ValueError(
                "KINLINK_TWILIO_ACCOUNT_SID is set without KINLINK_TWILIO_AUTH_TOKEN and "
                "KINLINK_SMS_WEBHOOK_PUBLIC_URL: give the account's auth token and the URL "
                "Twilio calls the webhook at"
            )
        return TwilioAccount(
            sid=self.twilio_account_sid,
            auth_token=self.twilio_auth_token.get_secret_value(),
            api_base_url=self.twilio_api_base_url,
            webhook_public_url=self.sms_webhook_public_url.rstrip("/"),
            timeout_seconds=self.twilio_timeout_seconds,
        )


def status_callback_url(public_url: str, reference: str) -> str:
    """Where Twilio reports the statuses of the SMS sent for `reference` (`sms:<id>`)."""
    return public_url.rstrip("/") + STATUS_ROUTE.format(reference=quote(reference, safe=":"))
