"""SubmitIdVerification: the holder's identity documents go to the verification provider.

Passed, the account is verified and the documents, but for the SSN, are kept encrypted in the
vault. An account that must be verified before activation sends the token of its activation
email with the documents: verified, it is activated at once; refused, the token stays unspent so
the holder can correct the details and try again, up to a limit: failures are counted per
account and per client address, so the provider cannot be used to try out stolen identities.
The SSN is checked, handed to the provider and dropped; no log line, event or error carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.logging import get_logger

from kinlink_identity.adapters.attempt_throttle import AttemptLimits
from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account import IdVerification
from kinlink_identity.domain.id_verification import IdDocuments
from kinlink_identity.domain.id_verification import VerificationResult
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.service_layer.emailed_links import redeem
from kinlink_identity.service_layer.identity import Identity

log = get_logger(__name__)

# Failed verifications allowed per account and per client address: a family member may mistype a
# few times, a tester of stolen identities gets nowhere.
ID_VERIFICATION_ATTEMPTS = "id-verification"
ID_VERIFICATION_LIMITS = AttemptLimits(per_account=5, per_address=20, window=timedelta(hours=24))


@dataclass(frozen=True)
class SubmitIdVerification:
    account_id: str
    legal_first_name: str = field(repr=False)
    legal_last_name: str = field(repr=False)
    date_of_birth: str = field(repr=False)  # ISO, e.g. 1980-04-30
    address: Address = field(repr=False)
    ssn: str = field(repr=False)
    activation_token: str = field(default="", repr=False)
    # The caller's network address, when known: failures are counted per address as well.
    client_address: str = ""


def submit_id_verification(identity: Identity, command: SubmitIdVerification) -> Account:
    activation = (
        redeem(identity, command.activation_token, TokenPurpose.ACTIVATION)
        if command.activation_token
        else None
    )
    account = identity.account(activation.account_id if activation else command.account_id)
    if account.status is AccountStatus.CLOSED:
        raise FailedPrecondition("account_closed", "This account is closed.")
    if account.id_verification is IdVerification.VERIFIED:
        raise FailedPrecondition(
            "id_already_verified", "The identity of this account's holder is already verified."
        )
    documents = IdDocuments.submitted(
        command.legal_first_name,
        command.legal_last_name,
        command.date_of_birth,
        command.address,
        command.ssn,
        today=identity.clock().date(),
    )
    throttle = identity.throttle.scoped(ID_VERIFICATION_ATTEMPTS, ID_VERIFICATION_LIMITS)
    # Counted before the provider is asked, and refused without asking it past the limit.
    attempt = throttle.attempt(str(account.id), command.client_address, identity.clock())
    try:
        result = identity.verification.verify(documents)
    except BaseException:
        throttle.withdraw(attempt)  # the provider did not answer: nothing failed
        raise
    log.info(
        "id verification answered",
        account_id=str(account.id),
        verified=result.verified,
        provider_reference=result.provider_reference,
    )
    if not result.verified:
        account.id_verification_failed(result.provider_reference)
        identity.store.save(account)
        raise FailedPrecondition(
            "id_verification_failed",
            "We could not verify your identity with these details; check them and try again.",
        )
    # Kept before the verification is saved: a verified account always has its documents.
    identity.vault.keep(account.id, documents)
    account.id_verified(result.provider_reference)
    if activation is None:
        identity.store.save(account)
    else:
        account = identity.retrying(lambda: _activate_verified(identity, command, result))
    throttle.clear(str(account.id))
    return account


def _activate_verified(
    identity: Identity, command: SubmitIdVerification, result: VerificationResult
) -> Account:
    """Spend the activation link with the verification: read again on each attempt, so of two
    uses of one link at once the second finds it used."""
    spent = redeem(identity, command.activation_token, TokenPurpose.ACTIVATION)
    account = identity.account(spent.account_id)
    account.id_verified(result.provider_reference)
    account.activate()
    identity.store.save(spent, account)
    return account
