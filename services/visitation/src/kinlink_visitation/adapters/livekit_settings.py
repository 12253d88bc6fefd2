"""How visitation reaches its video provider, from the environment: LiveKit's server when
`KINLINK_LIVEKIT_URL` is set, else the simulated provider (embedded mode); and where LiveKit's
signed webhooks arrive."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic import SecretStr
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

# The webhook's route: LiveKit's server is configured to post its room events here.
LIVEKIT_WEBHOOK_ROUTE = "/video/livekit"


@dataclass(frozen=True)
class LiveKitServer:
    url: str  # its API, http(s)://
    client_url: str  # what the visitor's and the station's video clients connect to, ws(s)://
    api_key: str
    api_secret: str
    timeout_seconds: float = 10.0


class LiveKitSettings(BaseSettings):
    """Mixed into visitation's settings."""

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    livekit_url: str | None = Field(
        default=None,
        description="LiveKit server's API (rooms, participants); unset: the simulated video "
        "provider of the embedded mode.",
        examples=["http://127.0.0.1:7880"],
    )
    livekit_client_url: str | None = Field(
        default=None,
        description="Where video clients (the family's browser, the station's kiosk) reach the "
        "LiveKit server; unset: the API's URL with ws(s):// for http(s)://.",
        examples=["wss://video.kinlink.example"],
    )
    livekit_api_key: str | None = Field(
        default=None, description="The API key of the LiveKit server (one of its `keys`)."
    )
    livekit_api_secret: SecretStr | None = Field(
        default=None,
        description="The key's secret: signs the join tokens and the API calls, and LiveKit "
        "signs its webhooks with it.",
    )
    livekit_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long one call to LiveKit may take before the provider is reported "
        "unavailable.",
    )
    video_webhook_host: str = Field(
        default="127.0.0.1", description="Address the video webhook binds: 0.0.0.0 in a container."
    )
    video_webhook_port: int = Field(
        default=8086,
        ge=0,
        le=65535,
        description=f"Port of the webhook LiveKit posts room events to ({LIVEKIT_WEBHOOK_ROUTE}).",
    )

    presence_sweep_every_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the visits in progress are checked against who the video "
        "provider says is in their rooms (a join or leave whose report never came).",
    )

    def livekit_server(self) -> LiveKitServer | None:
        """The LiveKit server to use, or None for the simulated provider (no URL)."""
        if self.livekit_url is None:
            return None
        if self.livekit_api_key is None or self.livekit_api_secret is None:
            raise ValueError(
                "KINLINK_LIVEKIT_URL is set without KINLINK_LIVEKIT_API_KEY and "
                "KINLINK_LIVEKIT_API_SECRET: give the key and secret of the server's `keys`"
            )
        url = self.livekit_url.rstrip("/")
        return LiveKitServer(
            url=url,
            client_url=self.livekit_client_url or url.replace("http", "ws", 1),
            api_key=self.livekit_api_key,
            api_secret=self.livekit_api_secret.get_secret_value(),
            timeout_seconds=self.livekit_timeout_seconds,
        )
