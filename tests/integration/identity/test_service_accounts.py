"""Kinlink's services sign in to identity with the accounts its settings name (decision 0033):
created at start with the platform_service role, kept signed in, refreshed before the access
token expires, shared by threads; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import uuid4

import grpc
import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.service_account import SignInRefused
from kinlink_kit.service_account import SignInUnavailable
from kinlink_kit.service_account import bearer
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving
from pydantic import SecretStr

from tests.conftest import TokenKeys
from tests.service_accounts import MovableNow
from tests.service_accounts import service_account
from tests.service_accounts import sign_ins
from tests.service_accounts import with_service_account


@pytest.fixture
async def identity_address(
    identity_settings: IdentitySettings, token_keys: TokenKeys
) -> AsyncIterator[str]:
    settings = with_service_account(identity_settings)
    bus = InMemoryBus()
    parts = [identity_service(settings, bus, build_identity(settings))]
    async with serving(parts, bus, token_keys.verifier()) as address:
        yield address


async def test_the_service_signs_in_as_a_platform_service_once_for_many_threads(
    identity_address: str, token_keys: TokenKeys
) -> None:
    account = service_account(identity_address)
    logged_in = sign_ins("log_in")
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(
            await asyncio.to_thread(
                lambda: list(pool.map(lambda _: account.access_token(), range(16)))
            )
        )
    assert len(tokens) == 1
    assert sign_ins("log_in") == logged_in + 1
    token = tokens.pop()
    assert token_keys.verifier().principal(token).roles == {Role.PLATFORM_SERVICE}
    assert await asyncio.to_thread(account.metadata) == bearer(token)


async def test_the_access_token_is_refreshed_before_it_expires(identity_address: str) -> None:
    now = MovableNow()
    account = service_account(identity_address, now)
    await asyncio.to_thread(account.access_token)
    logged_in, refreshed = sign_ins("log_in"), sign_ins("refresh")
    now.ahead = timedelta(minutes=12)  # the token lives 15 minutes: still 3 to go
    await asyncio.to_thread(account.access_token)
    assert (sign_ins("log_in"), sign_ins("refresh")) == (logged_in, refreshed)
    now.ahead = timedelta(minutes=13, seconds=30)  # within 2 minutes of its expiry
    await asyncio.to_thread(account.access_token)
    assert (sign_ins("log_in"), sign_ins("refresh")) == (logged_in, refreshed + 1)


async def test_a_token_the_callee_refuses_is_replaced_and_the_call_made_once_more(
    identity_address: str,
) -> None:
    account = service_account(identity_address)
    first = await asyncio.to_thread(account.access_token)
    seen: list[list[tuple[str, str]]] = []

    def rpc(metadata: list[tuple[str, str]]) -> str:
        seen.append(metadata)
        if len(seen) == 1:  # refused, as a callee refuses a token signed by a key it lacks
            raise _Unauthenticated()
        return "done"

    logged_in = sign_ins("log_in")
    assert await asyncio.to_thread(account.call, rpc) == "done"
    assert seen[0] == bearer(first)
    assert sign_ins("log_in") == logged_in + 1


async def test_wrong_credentials_are_refused_and_an_unreachable_identity_is_unavailable(
    identity_address: str,
) -> None:
    wrong = service_account(identity_address, password=SecretStr("not the password"))
    with pytest.raises(SignInRefused):
        await asyncio.to_thread(wrong.access_token)
    nowhere = service_account(f"127.0.0.1:{free_port()}")
    with pytest.raises(SignInUnavailable):
        await asyncio.to_thread(nowhere.access_token)


async def test_identity_starting_again_keeps_the_service_account(
    identity_settings: IdentitySettings, token_keys: TokenKeys
) -> None:
    settings = with_service_account(identity_settings)
    for _ in range(2):  # a restart, or a second replica: the account is there already
        bus = InMemoryBus()
        parts = [identity_service(settings, bus, build_identity(settings))]
        async with serving(parts, bus, token_keys.verifier()) as address:
            token = await asyncio.to_thread(service_account(address).access_token)
            assert token_keys.verifier().principal(token).roles == {Role.PLATFORM_SERVICE}


class _Unauthenticated(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAUTHENTICATED


async def test_a_closed_service_account_can_no_longer_sign_in(
    identity_address: str, token_keys: TokenKeys
) -> None:
    now = MovableNow()
    account = service_account(identity_address, now)
    token = await asyncio.to_thread(account.access_token)
    async with grpc.aio.insecure_channel(identity_address) as channel:
        await IdentityServiceStub(channel).CloseStaffAccount(
            pb.CloseStaffAccountRequest(
                account_id=token_keys.verifier().principal(token).account_id
            ),
            metadata=bearer(token_keys.token(str(uuid4()), Role.OPERATOR)),
        )
    now.ahead = timedelta(minutes=14)  # time to refresh: refused, and so is logging in again
    refused_refreshes, refused_log_ins = (
        sign_ins("refresh", "refused"),
        sign_ins("log_in", "refused"),
    )
    with pytest.raises(SignInRefused):
        await asyncio.to_thread(account.access_token)
    assert sign_ins("refresh", "refused") == refused_refreshes + 1
    assert sign_ins("log_in", "refused") == refused_log_ins + 1
