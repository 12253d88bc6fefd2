"""Who holds an email address: an account takes one by saving its claim in the same
transaction as its own change, so of two accounts taking one address at once, one collides and,
reading again under the conflict policy, finds the address taken."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.errors import AlreadyExists

from kinlink_identity.domain.email_claim import EmailClaim
from kinlink_identity.domain.ids import email_claim_id
from kinlink_identity.service_layer.identity import Identity


def _taken() -> AlreadyExists:
    return AlreadyExists("email_taken", "Another account uses this email address.")


def check_email_free(identity: Identity, email: str) -> None:
    """Refuse early, before any costly work; `claim_email` is what settles it."""
    claim = identity.find(email_claim_id(email), EmailClaim)
    if claim is not None and claim.held:
        raise _taken()


def claim_email(identity: Identity, email: str, account_id: UUID) -> EmailClaim:
    """The claim to save with the account: new, or a released one taken again."""
    claim = identity.find(email_claim_id(email), EmailClaim)
    if claim is None:
        return EmailClaim(email, account_id)
    if claim.held:
        raise _taken()
    claim.reclaim(account_id)
    return claim
