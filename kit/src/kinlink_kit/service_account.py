"""How one Kinlink service calls another: it signs in to identity with its own staff account
(role platform_service) and sends the access token, as any client does (decision 0033).

`ServiceAccount` logs in on first use, keeps the session, refreshes the access token a while
before it expires (logging in again when identity refuses the refresh: its session ended)
and is shared by the worker threads that run the synchronous use cases: one sign-in at a time,
the others wait for it and use its token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TypeVar

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub
from pydantic import Field
from pydantic import SecretStr
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from kinlink_kit.auth import AUTHORIZATION_HEADER
from kinlink_kit.errors import Unavailable
from kinlink_kit.grpc_client import PASSING
from kinlink_kit.grpc_client import status_of
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import SERVICE_SIGN_INS

log = get_logger(__name__)


class ServiceAccountSettings(BaseSettings):
    """What a service that calls others reads to sign in (mixed into its settings)."""

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    identity_target: str = Field(
        default="127.0.0.1:50051",
        description="host:port of the identity service, where this service signs in.",
    )
    service_account_email: str = Field(
        default="",
        description="The email of this service's staff account (role platform_service), "
        "created by identity from its KINLINK_SERVICE_ACCOUNTS.",
        examples=["messaging@kinlink.internal"],
    )
    service_account_password: SecretStr = Field(
        default=SecretStr(""), description="That account's password."
    )
    service_sign_in_deadline_seconds: float = Field(
        default=5.0, gt=0, description="How long a log-in or refresh may take."
    )

    def service_account(self) -> ServiceAccount:
        if not self.service_account_email or not self.service_account_password.get_secret_value():
            raise ValueError(
                "KINLINK_SERVICE_ACCOUNT_EMAIL and KINLINK_SERVICE_ACCOUNT_PASSWORD are not set: "
                "this service signs in to identity to call other services"
            )
        return ServiceAccount(
            self.identity_target,
            self.service_account_email,
            self.service_account_password,
            deadline=timedelta(seconds=self.service_sign_in_deadline_seconds),
        )


class SignInUnavailable(Unavailable):
    """Identity did not answer: the call that needed the token was not made."""

    def __init__(self) -> None:
        super().__init__("sign_in_unavailable", "The identity service cannot be reached just now.")


class SignInRefused(RuntimeError):
    """Identity refused the service's credentials: a deployment mistake, not a client's."""


Metadata = list[tuple[str, str]]
Answer = TypeVar("Answer")


def bearer(access_token: str) -> Metadata:
    return [(AUTHORIZATION_HEADER, f"Bearer {access_token}")]


@dataclass(frozen=True)
class _Session:
    access_token: str
    access_expires_at: datetime
    refresh_token: str


def _now() -> datetime:
    return datetime.now(UTC)


class ServiceAccount:
    def __init__(
        self,
        identity_target: str,
        email: str,
        password: SecretStr,
        *,
        deadline: timedelta = timedelta(seconds=5),
        refresh_before: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] = _now,
    ) -> None:
        """`refresh_before`: how long before the access token expires it is replaced, so a
        token sent is never one about to expire on the way (clocks differ a little)."""
        self._channel = grpc.insecure_channel(identity_target)
        self._identity = IdentityServiceStub(self._channel)
        self._email = email
        self._password = password
        self._deadline = deadline.total_seconds()
        self._refresh_before = refresh_before
        self._clock = clock
        self._lock = threading.Lock()
        self._session: _Session | None = None

    def call(self, rpc: Callable[[Metadata], Answer]) -> Answer:
        """`rpc(metadata)` with a valid access token, signing in first when needed. When the
        callee refuses the token (UNAUTHENTICATED: identity's keys were rotated, or the token
        expired on the way), nothing was done: sign in again and call once more.

        Raises `SignInUnavailable` when identity cannot be reached and `SignInRefused` when it
        refuses the service's credentials; the rpc's own errors pass through."""
        token = self.access_token()
        try:
            return rpc(bearer(token))
        except grpc.RpcError as error:
            if status_of(error) != grpc.StatusCode.UNAUTHENTICATED:
                raise
            self._forget(token)
        return rpc(bearer(self.access_token()))

    def metadata(self) -> Metadata:
        """Call metadata with a valid access token, for a caller making the call itself (prefer
        `call`, which also replaces a token the callee refuses)."""
        return bearer(self.access_token())

    def access_token(self) -> str:
        """A valid access token, signing in first when needed (see `call` for the errors)."""
        with self._lock:
            session = self._session
            if session is None:
                session = self._log_in()
            elif self._clock() >= session.access_expires_at - self._refresh_before:
                session = self._refresh(session) or self._log_in()
            self._session = session
            return session.access_token

    def _forget(self, access_token: str) -> None:
        """A token another thread already replaced is left alone."""
        with self._lock:
            if self._session is not None and self._session.access_token == access_token:
                self._session = None

    def close(self) -> None:
        self._channel.close()

    def _log_in(self) -> _Session:
        request = pb.LogInRequest(email=self._email, password=self._password.get_secret_value())
        return self._signed_in("log_in", self._identity.LogIn, request)

    def _refresh(self, session: _Session) -> _Session | None:
        """The refreshed session, or None when identity refused the refresh token."""
        request = pb.RefreshSessionRequest(refresh_token=session.refresh_token)
        try:
            return self._signed_in("refresh", self._identity.RefreshSession, request)
        except SignInRefused:
            return None

    def _signed_in(self, how: str, call: Callable[..., pb.Session], request: object) -> _Session:
        try:
            answer = call(request, timeout=self._deadline)
        except grpc.RpcError as error:
            code = status_of(error)
            if code in PASSING:
                SERVICE_SIGN_INS.labels(how, "unavailable").inc()
                log.warning("service sign-in unavailable", how=how, code=code.name)
                raise SignInUnavailable() from error
            SERVICE_SIGN_INS.labels(how, "refused").inc()
            log.error("service sign-in refused", how=how, email=self._email, code=code.name)
            raise SignInRefused(f"identity refused {how} of {self._email}: {code.name}") from error
        SERVICE_SIGN_INS.labels(how, "ok").inc()
        return _Session(
            answer.access_token,
            answer.access_token_expires_at.ToDatetime(UTC),
            answer.refresh_token,
        )
