"""Events from other services or facility systems that identity cannot apply: raised so that the
tracking consumer retries them a few times, then puts them on the dead-letter topic for a person
to look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kinlink_contracts.envelope import Envelope
from kinlink_kit.errors import ClientError


class EventRejected(ValueError):
    """An event that contradicts what identity knows, with the code and message a client would
    have seen: the dead letter's `dlq-error` header carries them."""

    def __init__(self, event_type: str, error: ClientError) -> None:
        super().__init__(f"{event_type} rejected: {error.code}: {error.message}")


@contextmanager
def rejecting(envelope: Envelope, rejected: type[EventRejected]) -> Iterator[None]:
    """Raise the client errors of the block as `rejected`."""
    try:
        yield
    except ClientError as error:
        raise rejected(envelope.type, error) from error
