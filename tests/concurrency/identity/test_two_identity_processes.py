"""Two identity processes on one PostgreSQL: twenty people register the same email address (in
different cases) at once, through both. Exactly one account gets it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from cryptography.fernet import Fernet
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.concurrency.processes import is_serving
from tests.concurrency.processes import service_env
from tests.concurrency.processes import service_processes
from tests.conftest import TokenKeys
from tests.identity_grpc import registration

REGISTRATIONS = 20


@pytest.fixture
def two_identities(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> Iterator[list[str]]:
    env = {
        **service_env(infra, fresh_database, token_keys),
        "KINLINK_JWT_PRIVATE_KEY": token_keys.private_pem,
        "KINLINK_JWT_KEY_ID": token_keys.key_id,
        "KINLINK_PERSONAL_DATA_KEY": Fernet.generate_key().decode(),
        "KINLINK_MAIL_BACKEND": "folder",
        "KINLINK_DATA_DIR": str(tmp_path / "var"),
        "KINLINK_PASSWORD_TIME_COST": "1",
        "KINLINK_PASSWORD_MEMORY_KIB": "1024",
    }
    with service_processes("kinlink_identity.entrypoints.main", 2, env, tmp_path) as addresses:
        yield addresses


async def test_one_email_address_goes_to_exactly_one_account(two_identities: list[str]) -> None:
    for address in two_identities:
        await eventually(lambda a=address: is_serving(a), timeout=60)
    channels = [grpc.aio.insecure_channel(address) for address in two_identities]
    stubs = [identity_pb2_grpc.IdentityServiceStub(channel) for channel in channels]
    spellings = ["grace@example.com", "Grace@Example.com", "GRACE@EXAMPLE.COM"]
    try:
        results = await asyncio.gather(
            *(
                stubs[i % 2].Register(registration(spellings[i % 3]), timeout=60)
                for i in range(REGISTRATIONS)
            ),
            return_exceptions=True,
        )
    finally:
        for channel in channels:
            await channel.close()

    accounts = [r for r in results if isinstance(r, pb.Account)]
    refusals = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(accounts) == 1, results
    assert accounts[0].email == "grace@example.com"
    assert len(refusals) == REGISTRATIONS - 1, results
    # Every loser is told the address is taken, whether it lost the early check or the race.
    assert {e.code() for e in refusals} == {grpc.StatusCode.ALREADY_EXISTS}
