"""The portal's settings, from the environment (prefix KINLINK_), like every service's."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic import SecretStr
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict


class PortalSettings(BaseSettings):
    """Where the portal listens, which services it calls, and how it keeps sessions.

    The portal owns no data: everything it shows comes from identity, the ledger and messaging over
    gRPC.
    """

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    service_name: str = "kinlink-portal"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0 disables /metrics.")
    log_level: str = "INFO"
    identity_target: str = Field(default="127.0.0.1:50051", description="identity's gRPC address")
    ledger_target: str = Field(default="127.0.0.1:50051", description="the ledger's gRPC address")
    messaging_target: str = Field(
        default="127.0.0.1:50051", description="the messaging service's gRPC address"
    )
    sms_target: str = Field(default="127.0.0.1:50051", description="the SMS gateway's gRPC address")
    commissary_target: str = Field(
        default="127.0.0.1:50051", description="the commissary service's gRPC address"
    )
    visitation_target: str = Field(
        default="127.0.0.1:50051", description="the visitation service's gRPC address"
    )
    call_timeout_seconds: float = Field(default=10.0, gt=0)
    cookie_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Signs the session cookie; at least 32 characters. Every replica shares it.",
    )
    secure_cookies: bool = Field(
        default=True,
        description="Cookies only over HTTPS (and Strict-Transport-Security); false only for "
        "the embedded mode on 127.0.0.1.",
    )
    session_hours: float = Field(default=12.0, gt=0, description="A session cookie's lifetime.")
    log_in_attempts_per_address: int = Field(
        default=10, ge=1, description="Log-in forms accepted per client address per window."
    )
    sign_ups_per_address: int = Field(
        default=5, ge=1, description="Sign-up forms accepted per client address per window."
    )
    attempt_window_seconds: float = Field(default=600.0, gt=0)
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies (comma-separated addresses, or *) whose X-Forwarded-For names the "
        "visitor's address: the one the rate limits and identity's throttling count.",
    )
    shutdown_grace_seconds: float = 10.0
    card_entry: Literal["test_cards", "stripe_elements"] = Field(
        default="test_cards",
        description="How a card is entered: the processor's test cards to choose from (the "
        "embedded mode, stripe-mock), or Stripe's hosted fields (decision 0025).",
    )
    stripe_publishable_key: str = Field(
        default="",
        description="Stripe's publishable key (pk_...): Stripe.js shows its card fields "
        "(stripe_elements) and the bank's check of a payment (3-D Secure) with it; pages may then "
        "load Stripe's script and frames.",
    )

    support_email: str = Field(
        default="support@kinlink.example",
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="Where the Contact page tells families to write to support.",
    )

    def checked_cookie_secret(self) -> str:
        """A portal without a real secret would sign sessions anyone can forge: it does not
        start."""
        secret = self.cookie_secret.get_secret_value()
        if len(secret) < 32:
            raise ValueError(
                "KINLINK_COOKIE_SECRET is not set or shorter than 32 characters: give a long "
                "random string, the same to every replica of the portal"
            )
        return secret

    def checked_card_entry(self) -> str:
        """Stripe's fields cannot be shown without a publishable key: the portal does not start."""
        if self.card_entry == "stripe_elements" and not self.stripe_publishable_key.startswith(
            "pk_"
        ):
            raise ValueError(
                "KINLINK_CARD_ENTRY=stripe_elements needs KINLINK_STRIPE_PUBLISHABLE_KEY (pk_...)"
            )
        return self.card_entry
