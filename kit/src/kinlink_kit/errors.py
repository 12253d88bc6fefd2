"""Errors a client may see, each with a stable code; free of gRPC so domain code can raise them."""

from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    """What went wrong, from the caller's side; the gRPC layer maps each to a status code."""

    INVALID_ARGUMENT = "invalid_argument"
    UNAUTHENTICATED = "unauthenticated"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    FAILED_PRECONDITION = "failed_precondition"
    PERMISSION_DENIED = "permission_denied"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    ABORTED = "aborted"
    UNAVAILABLE = "unavailable"


class ClientError(Exception):
    """A refusal the caller can act on: `code` is stable (e.g. `amount_not_positive`) and says
    which input it is about; `field` names the request field at fault, set by the entrypoint
    that knows the request (the domain knows no request fields)."""

    kind = ErrorKind.FAILED_PRECONDITION

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class InvalidArgument(ClientError):
    kind = ErrorKind.INVALID_ARGUMENT


class Unauthenticated(ClientError):
    """No valid credentials: sign in (again) and retry."""

    kind = ErrorKind.UNAUTHENTICATED


class PermissionDenied(ClientError):
    """The caller is known but may not do this; signing in again will not help."""

    kind = ErrorKind.PERMISSION_DENIED


class NotFound(ClientError):
    kind = ErrorKind.NOT_FOUND


class AlreadyExists(ClientError):
    kind = ErrorKind.ALREADY_EXISTS


class FailedPrecondition(ClientError):
    kind = ErrorKind.FAILED_PRECONDITION


class ResourceExhausted(ClientError):
    """Too many attempts for now (e.g. failed sign-ins); retrying later may succeed."""

    kind = ErrorKind.RESOURCE_EXHAUSTED


class Unavailable(ClientError):
    kind = ErrorKind.UNAVAILABLE


class ConcurrentChange(ClientError):
    """Someone changed the same thing at the same moment; asking again is safe."""

    kind = ErrorKind.ABORTED

    def __init__(self) -> None:
        super().__init__(
            "concurrent_change", "This changed at the same moment elsewhere; please try again."
        )
