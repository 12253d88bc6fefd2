"""Errors a client may see, each with a stable code; free of gRPC so domain code can raise them."""

from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    """What went wrong, from the caller's side; the gRPC layer maps each to a status code."""

    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    FAILED_PRECONDITION = "failed_precondition"
    PERMISSION_DENIED = "permission_denied"
    UNAVAILABLE = "unavailable"


class ClientError(Exception):
    """A refusal the caller can act on: `code` is stable (e.g. `amount_not_positive`), `field`
    names the request field at fault when there is one."""

    kind = ErrorKind.FAILED_PRECONDITION

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class InvalidArgument(ClientError):
    kind = ErrorKind.INVALID_ARGUMENT

    def __init__(self, code: str, message: str, *, field: str) -> None:
        super().__init__(code, message, field=field)


class NotFound(ClientError):
    kind = ErrorKind.NOT_FOUND


class FailedPrecondition(ClientError):
    kind = ErrorKind.FAILED_PRECONDITION


class Unavailable(ClientError):
    kind = ErrorKind.UNAVAILABLE
