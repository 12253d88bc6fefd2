"""Who is calling and what they may do: roles, Ed25519-signed tokens, and per-method access.

The identity service alone holds a private key and signs tokens (its `token_signer` adapter);
every service verifies them with the public keys, so checking a call needs no round trip to
identity. Access tokens are short-lived and carry the roles and facilities; refresh tokens carry
only the account and its session epoch, which identity checks (a password change raises the
epoch and ends old sessions).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from enum import StrEnum
from typing import Any
from typing import TypeGuard

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kinlink_kit.errors import PermissionDenied
from kinlink_kit.errors import Unauthenticated

ISSUER = "kinlink-identity"
AUDIENCE = "kinlink"
# The only algorithm signed or accepted: never `none`, never a shared-secret HS* one, so a public
# key can never be misused as an HMAC secret.
ALGORITHM = "EdDSA"
AUTHORIZATION_HEADER = "authorization"
# Checking a signature costs about 0.2 ms on the event loop, and an app sends the same access
# token for its whole lifetime: tokens already verified are remembered until they expire.
_VERIFIED_TOKENS = 10_000


class Role(StrEnum):
    FAMILY_MEMBER = "family_member"
    FACILITY_OFFICER = "facility_officer"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    FACILITY_INTEGRATION = "facility_integration"
    # Another Kinlink service (messaging, visitation, sms-gateway, commissary) calling for the
    # family member it acts for, e.g. to charge a message to their wallet.
    PLATFORM_SERVICE = "platform_service"


# Operators, auditors and platform services work for the platform, so for every facility;
# officers and integrations act only for the facilities their account is assigned to.
_EVERY_FACILITY = frozenset({Role.OPERATOR, Role.AUDITOR, Role.PLATFORM_SERVICE})
_ASSIGNED_FACILITIES = frozenset({Role.FACILITY_OFFICER, Role.FACILITY_INTEGRATION})
_ROLE_NAMES = frozenset(role.value for role in Role)


@dataclass(frozen=True)
class Principal:
    """The signed-in account a call is made for, as its access token describes it."""

    account_id: str
    roles: frozenset[Role]
    facilities: frozenset[str] = frozenset()
    id_verified: bool = False

    def has(self, role: Role) -> bool:
        return role in self.roles

    def in_scope(self, facility_id: str) -> bool:
        """Whether this account acts for the facility (staff, not as a depositor)."""
        if self.roles & _EVERY_FACILITY:
            return True
        return bool(self.roles & _ASSIGNED_FACILITIES) and facility_id in self.facilities

    def require_facility(self, facility_id: str, code: str = "facility_out_of_scope") -> None:
        """Refused with `code`; a use case naming two facilities gives each its own code."""
        if not self.in_scope(facility_id):
            raise PermissionDenied(code, f"Your account does not act for facility {facility_id}.")


@dataclass(frozen=True)
class RefreshClaims:
    account_id: str
    session_epoch: int
    issued_at: datetime


class TokenVerifier:
    """Checks tokens against the public keys in use (key id -> PEM): more than one while a new
    signing key is being rolled out. `leeway_seconds` absorbs clock skew between machines."""

    def __init__(
        self,
        public_keys: Mapping[str, str],
        *,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        leeway_seconds: float = 30.0,
    ) -> None:
        self._keys = {key_id: _public_key(pem) for key_id, pem in public_keys.items()}
        self.issuer = issuer
        self.audience = audience
        self.leeway_seconds = leeway_seconds
        self._verified: dict[str, tuple[Principal, float]] = {}

    def principal(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        claims = self._claims(token, "access")
        roles, facilities = claims.get("roles"), claims.get("facilities", [])
        if not _strings(roles) or not _strings(facilities):
            raise _invalid_token()
        principal = Principal(
            account_id=claims["sub"],
            # A role this service does not know yet grants nothing here; it is not an error.
            roles=frozenset(Role(r) for r in roles if r in _ROLE_NAMES),
            facilities=frozenset(facilities),
            id_verified=claims.get("idv") is True,
        )
        if len(self._verified) >= _VERIFIED_TOKENS:
            self._verified.clear()
        self._verified[token] = (principal, claims["exp"] + self.leeway_seconds)
        return principal

    def refresh_claims(self, token: str) -> RefreshClaims:
        claims = self._claims(token, "refresh")
        epoch = claims.get("epoch")
        if not isinstance(epoch, int) or isinstance(epoch, bool):
            raise _invalid_token()
        return RefreshClaims(claims["sub"], epoch, datetime.fromtimestamp(claims["iat"], UTC))

    def _claims(self, token: str, kind: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise _invalid_token()
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["sub", "typ", "iat", "exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(
                "token_expired", "The token has expired: sign in again or refresh it."
            ) from None
        except jwt.InvalidTokenError:
            raise _invalid_token() from None
        # An access token is not a refresh token, nor the other way round.
        if claims["typ"] != kind or not claims["sub"]:
            raise _invalid_token()
        return claims


def _invalid_token() -> Unauthenticated:
    return Unauthenticated("invalid_token", "The token is not valid: sign in again.")


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("token verification keys must be Ed25519 public keys")
    return key


# The principal of the call being served. asyncio.to_thread copies the context, so use cases
# running in worker threads see it too.
_PRINCIPAL: ContextVar[Principal | None] = ContextVar("kinlink_principal", default=None)


def bind_principal(principal: Principal | None) -> None:
    """Set for the current call (the gRPC server does this before each call)."""
    _PRINCIPAL.set(principal)


def current_principal() -> Principal:
    principal = _PRINCIPAL.get()
    if principal is None:
        raise Unauthenticated("token_missing", "Sign in first.")
    return principal


# A service's policy: full gRPC method name (/package.Service/Method) -> the roles allowed.
# PUBLIC methods need no token; a method missing from every policy is refused.
AccessPolicy = Mapping[str, frozenset[Role]]
PUBLIC: frozenset[Role] = frozenset()
ANY_ROLE: frozenset[Role] = frozenset(Role)
# Health checks come from load balancers and probes, reflection from tooling: never signed in.
ALWAYS_PUBLIC = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)


def is_always_public(method: str) -> bool:
    return method.startswith(ALWAYS_PUBLIC)


class Authenticator:
    """Decides, before a call runs, who makes it and whether the policy lets them."""

    def __init__(self, verifier: TokenVerifier, policy: AccessPolicy) -> None:
        self.verifier = verifier
        self.policy = dict(policy)

    def authenticate(self, method: str, metadata: Mapping[str, str]) -> Principal | None:
        """The caller's principal, or None for an anonymous call to a public method."""
        if is_always_public(method):
            allowed = PUBLIC
        elif method in self.policy:
            allowed = self.policy[method]
        else:
            raise PermissionDenied("method_not_allowed", f"{method} is not open to anyone.")
        header = metadata.get(AUTHORIZATION_HEADER)
        if not allowed:
            # A stale token left in a client's session must not stop it from signing in again.
            try:
                token = _bearer_token(header)
                return self.verifier.principal(token) if token else None
            except Unauthenticated:
                return None
        token = _bearer_token(header)
        if not token:
            raise Unauthenticated(
                "token_missing", "Sign in first: send `authorization: Bearer <access token>`."
            )
        principal = self.verifier.principal(token)
        if not principal.roles & allowed:
            raise PermissionDenied(
                "role_not_allowed",
                f"Needs one of the roles {', '.join(sorted(allowed))}.",
            )
        return principal


def _bearer_token(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "invalid_token", "Send the access token as `authorization: Bearer <token>`."
        )
    return token.strip()
