"""Tokens, roles and access policies (kinlink_kit.auth): what a service accepts and refuses."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import stat
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import grpc
import jwt
import pytest
from kinlink_identity.adapters.token_signer import TokenSigner
from kinlink_identity.adapters.token_signer import embedded_keys
from kinlink_identity.adapters.token_signer import generate_key_pair
from kinlink_kit.auth import PUBLIC
from kinlink_kit.auth import Authenticator
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.auth import bind_principal
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.errors import Unauthenticated
from kinlink_kit.grpc_server import GrpcServer

KEY_ID = "identity-1"
PRIVATE, PUBLIC_PEM = generate_key_pair()
SIGNER = TokenSigner(PRIVATE, key_id=KEY_ID)
VERIFIER = TokenVerifier({KEY_ID: PUBLIC_PEM})
TTL = timedelta(minutes=15)
OFFICER = Principal(
    "officer-1", frozenset({Role.FACILITY_OFFICER}), frozenset({"FAC-DEMO"}), id_verified=True
)
QUOTE = "/kinlink.ledger.v1.LedgerService/QuoteDeposit"
LOGIN = "/kinlink.identity.v1.IdentityService/LogIn"
POLICY = {QUOTE: frozenset({Role.FAMILY_MEMBER}), LOGIN: PUBLIC}


def now() -> datetime:
    return datetime.now(UTC)


def family(account_id: str = "mother") -> Principal:
    return Principal(account_id, frozenset({Role.FAMILY_MEMBER}))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: Mapping[str, object], claims: Mapping[str, object], signature: bytes) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{b64(signature)}"


def valid_claims() -> dict[str, object]:
    issued = int(now().timestamp())
    return {
        "sub": "intruder",
        "typ": "access",
        "roles": ["operator"],
        "facilities": [],
        "iss": "kinlink-identity",
        "aud": "kinlink",
        "iat": issued,
        "exp": issued + 900,
    }


def test_an_access_token_carries_the_principal() -> None:
    assert VERIFIER.principal(SIGNER.access_token(OFFICER, TTL, now())) == OFFICER


def test_an_expired_token_is_refused_as_expired() -> None:
    token = SIGNER.access_token(OFFICER, TTL, now() - timedelta(hours=1))
    with pytest.raises(Unauthenticated) as refused:
        VERIFIER.principal(token)
    assert refused.value.code == "token_expired"


async def test_a_token_verified_before_is_still_refused_once_expired() -> None:
    verifier = TokenVerifier({KEY_ID: PUBLIC_PEM}, leeway_seconds=0)
    token = SIGNER.access_token(OFFICER, timedelta(seconds=1), now())
    assert verifier.principal(token) == OFFICER
    await asyncio.sleep(1.1)
    with pytest.raises(Unauthenticated) as refused:
        verifier.principal(token)
    assert refused.value.code == "token_expired"


@pytest.mark.parametrize("kid", [KEY_ID, "someone-else"])
def test_a_token_signed_with_another_key_is_refused(kid: str) -> None:
    other_private, _ = generate_key_pair()
    token = TokenSigner(other_private, key_id=kid).access_token(OFFICER, TTL, now())
    with pytest.raises(Unauthenticated) as refused:
        VERIFIER.principal(token)
    assert refused.value.code == "invalid_token"


def test_a_tampered_token_is_refused() -> None:
    header, _, signature = SIGNER.access_token(family(), TTL, now()).split(".")
    promoted = {**valid_claims(), "sub": "mother"}
    token = f"{header}.{b64(json.dumps(promoted).encode())}.{signature}"
    with pytest.raises(Unauthenticated) as refused:
        VERIFIER.principal(token)
    assert refused.value.code == "invalid_token"


def test_unsigned_and_shared_secret_tokens_are_refused() -> None:
    unsigned = hand_made({"alg": "none", "typ": "JWT", "kid": KEY_ID}, valid_claims(), b"")
    # The classic confusion: the public key used as an HMAC secret.
    header = {"alg": "HS256", "typ": "JWT", "kid": KEY_ID}
    signing_input = hand_made(header, valid_claims(), b"").rsplit(".", 1)[0]
    mac = hmac.new(PUBLIC_PEM.encode(), signing_input.encode(), hashlib.sha256).digest()
    for token in (unsigned, f"{signing_input}.{b64(mac)}", "not-a-token", ""):
        with pytest.raises(Unauthenticated) as refused:
            VERIFIER.principal(token)
        assert refused.value.code == "invalid_token"


def test_tokens_for_another_audience_or_issuer_are_refused() -> None:
    for signer in (
        TokenSigner(PRIVATE, key_id=KEY_ID, audience="elsewhere"),
        TokenSigner(PRIVATE, key_id=KEY_ID, issuer="impostor"),
    ):
        with pytest.raises(Unauthenticated):
            VERIFIER.principal(signer.access_token(OFFICER, TTL, now()))


def test_refresh_and_access_tokens_are_not_interchangeable() -> None:
    issued = now().replace(microsecond=0)
    refresh = SIGNER.refresh_token("mother", 3, timedelta(days=30), issued)
    claims = VERIFIER.refresh_claims(refresh)
    assert (claims.account_id, claims.session_epoch, claims.issued_at) == ("mother", 3, issued)
    with pytest.raises(Unauthenticated):
        VERIFIER.principal(refresh)
    with pytest.raises(Unauthenticated):
        VERIFIER.refresh_claims(SIGNER.access_token(family(), TTL, now()))


def test_keys_rotate_by_key_id() -> None:
    new_private, new_public = generate_key_pair()
    new_signer = TokenSigner(new_private, key_id="identity-2")
    during = TokenVerifier({KEY_ID: PUBLIC_PEM, "identity-2": new_public})
    after = TokenVerifier({"identity-2": new_public})
    old_token = SIGNER.access_token(family(), TTL, now())
    new_token = new_signer.access_token(family(), TTL, now())
    assert during.principal(old_token) == during.principal(new_token) == family()
    assert after.principal(new_token) == family()
    with pytest.raises(Unauthenticated):
        after.principal(old_token)


def test_roles_a_service_does_not_know_grant_nothing() -> None:
    claims = {**valid_claims(), "roles": ["family_member", "astronaut"]}
    token = jwt.encode(claims, PRIVATE, algorithm="EdDSA", headers={"kid": KEY_ID})
    assert VERIFIER.principal(token).roles == {Role.FAMILY_MEMBER}


def test_facility_scope() -> None:
    OFFICER.require_facility("FAC-DEMO")
    with pytest.raises(PermissionDenied) as refused:
        OFFICER.require_facility("FAC-EAST")
    assert (refused.value.code, refused.value.field) == ("facility_out_of_scope", None)
    with pytest.raises(PermissionDenied) as destination:
        OFFICER.require_facility("FAC-EAST", "to_facility_out_of_scope")
    assert destination.value.code == "to_facility_out_of_scope"
    integration = Principal("fac", frozenset({Role.FACILITY_INTEGRATION}), frozenset({"FAC-EAST"}))
    assert integration.in_scope("FAC-EAST") and not integration.in_scope("FAC-DEMO")
    for staff in (Role.OPERATOR, Role.AUDITOR):
        assert Principal("staff", frozenset({staff})).in_scope("ANY-FACILITY")
    # Listing a facility on a family member's token gives them no staff rights there.
    assert not Principal("m", frozenset({Role.FAMILY_MEMBER}), frozenset({"F"})).in_scope("F")


def test_the_policy_refuses_methods_it_does_not_name() -> None:
    auth = Authenticator(VERIFIER, POLICY)
    token = SIGNER.access_token(Principal("op", frozenset(Role)), TTL, now())
    with pytest.raises(PermissionDenied) as refused:
        auth.authenticate("/kinlink.ledger.v1.LedgerService/Refund", bearer(token))
    assert refused.value.code == "method_not_allowed"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_the_policy_admits_its_roles_and_needs_a_token() -> None:
    auth = Authenticator(VERIFIER, POLICY)
    assert auth.authenticate(QUOTE, bearer(SIGNER.access_token(family(), TTL, now()))) == family()
    with pytest.raises(Unauthenticated) as missing:
        auth.authenticate(QUOTE, {})
    assert missing.value.code == "token_missing"
    with pytest.raises(Unauthenticated) as malformed:
        auth.authenticate(QUOTE, {"authorization": "Basic bW90aGVyOnNlY3JldA=="})
    assert malformed.value.code == "invalid_token"
    with pytest.raises(PermissionDenied) as wrong_role:
        auth.authenticate(QUOTE, bearer(SIGNER.access_token(OFFICER, TTL, now())))
    assert wrong_role.value.code == "role_not_allowed"


def test_public_methods_need_no_token_but_still_see_a_valid_one() -> None:
    auth = Authenticator(VERIFIER, POLICY)
    assert auth.authenticate(LOGIN, {}) is None
    token = SIGNER.access_token(OFFICER, TTL, now())
    assert auth.authenticate(LOGIN, bearer(token)) == OFFICER
    # A stale session must not keep anyone from signing in again.
    stale = SIGNER.access_token(OFFICER, TTL, now() - timedelta(hours=1))
    assert auth.authenticate(LOGIN, bearer(stale)) is None
    # Health checks and reflection are public whatever the services' policies say.
    assert auth.authenticate("/grpc.health.v1.Health/Check", {}) is None


async def test_the_current_principal_follows_the_call_into_worker_threads() -> None:
    async def call(principal: Principal | None) -> Principal:
        bind_principal(principal)
        return await asyncio.to_thread(current_principal)

    assert await asyncio.create_task(call(OFFICER)) == OFFICER
    with pytest.raises(Unauthenticated) as anonymous:
        await asyncio.create_task(call(None))
    assert anonymous.value.code == "token_missing"


def test_the_embedded_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    key_id, private_pem, public_pem = embedded_keys(tmp_path)
    [key_file] = (tmp_path / "keys").iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert embedded_keys(tmp_path) == (key_id, private_pem, public_pem)
    token = TokenSigner(private_pem, key_id=key_id).access_token(family(), TTL, now())
    assert TokenVerifier({key_id: public_pem}).principal(token) == family()


async def test_a_streaming_method_is_not_served_unless_always_public() -> None:
    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> object:
        yield request

    handler = grpc.method_handlers_generic_handler(
        "test.Streams", {"Echo": grpc.unary_stream_rpc_method_handler(echo)}
    )
    server = GrpcServer("127.0.0.1", 0, [], authenticator=Authenticator(VERIFIER, {}))
    server.server.add_generic_rpc_handlers([handler])
    await server.start()
    try:
        async with grpc.aio.insecure_channel(server.address) as channel:
            call = channel.unary_stream("/test.Streams/Echo")(b"hi")
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                async for _ in call:
                    pass
        assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        await server.stop(0)
