"""Signing tokens, which only identity does: its Ed25519 private key, and making one.

Every service verifies tokens with the public keys (kinlink_kit.auth.TokenVerifier); the private
key never leaves identity (and the embedded mode, which runs identity).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kinlink_kit.auth import ALGORITHM
from kinlink_kit.auth import AUDIENCE
from kinlink_kit.auth import ISSUER
from kinlink_kit.auth import Principal


class TokenSigner:
    """Signs tokens with identity's private key; `key_id` names it in each token's header so
    verifiers can tell which public key to check with while keys are being rotated."""

    def __init__(
        self,
        private_key_pem: str,
        *,
        key_id: str,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
    ) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the token signing key must be an Ed25519 private key")
        self._key = key
        self.key_id = key_id
        self.issuer = issuer
        self.audience = audience

    def access_token(self, principal: Principal, ttl: timedelta, now: datetime) -> str:
        return self._sign(
            {
                "sub": principal.account_id,
                "typ": "access",
                "roles": sorted(principal.roles),
                "facilities": sorted(principal.facilities),
                "idv": principal.id_verified,
            },
            ttl,
            now,
        )

    def refresh_token(
        self, account_id: str, session_epoch: int, ttl: timedelta, now: datetime
    ) -> str:
        return self._sign({"sub": account_id, "typ": "refresh", "epoch": session_epoch}, ttl, now)

    def _sign(self, claims: dict[str, Any], ttl: timedelta, now: datetime) -> str:
        issued_at = int(now.timestamp())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued_at,
            "exp": issued_at + int(ttl.total_seconds()),
            "jti": secrets.token_hex(16),
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})


def generate_key_pair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private_pem.decode(), public_pem_of(private_pem.decode())


def public_pem_of(private_key_pem: str) -> str:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def embedded_keys(data_dir: Path) -> tuple[str, str, str]:
    """The embedded mode's signing key as (key id, private PEM, public PEM): made on the first
    start under `data_dir/keys/`, readable by the owner only, and reused so that tokens signed
    before a restart stay valid. The key id derives from the key itself."""
    folder = data_dir / "keys"
    path = folder / "token-signing-key.pem"
    if not path.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = folder / f".{path.name}.{secrets.token_hex(4)}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(generate_key_pair()[0])
        try:
            # A link never replaces: a process starting at the same moment keeps its key.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    private_pem = path.read_text()
    public_pem = public_pem_of(private_pem)
    key_id = "embedded-" + hashlib.sha256(public_pem.encode()).hexdigest()[:16]
    return key_id, private_pem, public_pem
