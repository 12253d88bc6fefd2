"""Rotating identity's token signing key, as the runbook does it, on SQLite and on the real
PostgreSQL: sessions signed with the old key go on while its public half is still listed, and end
once it is removed; services that list both keys accept tokens of either."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import jwt
from kinlink_identity.adapters.token_signer import generate_key_pair
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.log_in import refresh_session
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.errors import Unauthenticated
from kinlink_kit.testing import Clock

from tests.conftest import TokenKeys
from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_accounts import active_account
from tests.integration.identity.test_accounts import refused
from tests.integration.identity.test_accounts import sign_in


def restarted(
    settings: IdentitySettings, mailer: RecordingMailer, clock: Clock, **keys: object
) -> Identity:
    """Identity started again on the same store with other key settings."""
    built = build_identity(IdentitySettings(**{**settings.model_dump(), **keys}), mailer)
    built.clock = clock
    return built


def key_id_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def test_a_new_signing_key_keeps_old_sessions_until_the_old_public_key_is_removed(
    identity: Identity,
    identity_settings: IdentitySettings,
    mailer: RecordingMailer,
    clock: Clock,
    token_keys: TokenKeys,
) -> None:
    clock.now = datetime.now(UTC)  # tokens are checked against the real time
    active_account(identity, mailer, "ada@example.com")
    before = sign_in(identity, "ada@example.com")
    new_private, new_public = generate_key_pair()

    # Step 2: identity signs with the new key, and still lists the old one's public half.
    during = restarted(
        identity_settings,
        mailer,
        clock,
        jwt_private_key=new_private,
        jwt_key_id="identity-2",
        jwt_public_keys={token_keys.key_id: token_keys.public_pem},
    )
    try:
        renewed = refresh_session(during, before.refresh_token)
    finally:
        during.close()
    assert key_id_of(before.access_token) == token_keys.key_id
    assert key_id_of(renewed.access_token) == "identity-2"
    services = TokenVerifier({token_keys.key_id: token_keys.public_pem, "identity-2": new_public})
    assert services.principal(before.access_token) == services.principal(renewed.access_token)

    # Step 3, after the longest token lifetime: the old public key is gone everywhere.
    after = restarted(
        identity_settings,
        mailer,
        clock,
        jwt_private_key=new_private,
        jwt_key_id="identity-2",
        jwt_public_keys={},
    )
    try:
        refused(Unauthenticated, "invalid_token", refresh_session, after, before.refresh_token)
        assert refresh_session(after, renewed.refresh_token).account.id == renewed.account.id
    finally:
        after.close()
    with_new_key_only = TokenVerifier({"identity-2": new_public})
    assert with_new_key_only.principal(renewed.access_token).account_id == str(renewed.account.id)
