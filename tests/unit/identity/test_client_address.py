"""Which network address failed logins are counted against."""

from __future__ import annotations

import pytest
from kinlink_identity.entrypoints.accounts_api import client_address


class Context:
    def __init__(self, peer: str, metadata: tuple[tuple[str, str], ...] = ()) -> None:
        self._peer = peer
        self._metadata = metadata

    def peer(self) -> str:
        return self._peer

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("ipv4:203.0.113.7:54321", "203.0.113.7"),
        ("ipv6:[2001:db8::1]:54321", "2001:db8::1"),
        ("ipv6:%5B::1%5D:443", "::1"),
        ("unix:/run/kinlink.sock", "unix:/run/kinlink.sock"),
    ],
)
def test_the_peer_without_its_port(peer: str, address: str) -> None:
    # The port changes with every connection: counting by it would throttle nobody.
    assert client_address(Context(peer)) == address  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "headers",
    [
        ("203.0.113.7",),
        # What the client sent comes first; the trusted proxy appends the address it saw.
        ("198.51.100.66, 203.0.113.7",),
        ("198.51.100.66,198.51.100.67 , 203.0.113.7 ",),
        # Sent twice, the header's values are one list in order.
        ("198.51.100.66", "198.51.100.67, 203.0.113.7"),
    ],
)
def test_the_last_entry_the_trusted_proxy_appended_wins(headers: tuple[str, ...]) -> None:
    # Earlier entries are the client's to write: each guess could claim a new address.
    context = Context("ipv4:10.0.0.5:1234", tuple(("x-forwarded-for", h) for h in headers))
    assert client_address(context, trust_forwarded_for=True) == "203.0.113.7"  # type: ignore[arg-type]


def test_a_forwarded_for_header_is_ignored_unless_a_proxy_is_trusted() -> None:
    # Otherwise each guess could claim a new address and escape the per-address limit.
    context = Context("ipv4:10.0.0.5:1234", (("x-forwarded-for", "203.0.113.7"),))
    assert client_address(context) == "10.0.0.5"  # type: ignore[arg-type]
