"""Failed ID verifications are limited per account and per client address, so the provider is no
free oracle for trying out identity documents."""

from __future__ import annotations

import pytest
from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountStatus
from kinlink_identity.domain.account import IdVerification
from kinlink_identity.domain.id_verification import IdDocuments
from kinlink_identity.domain.id_verification import VerificationResult
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.register import Register
from kinlink_identity.service_layer.register import register
from kinlink_identity.service_layer.submit_id_verification import ID_VERIFICATION_LIMITS
from kinlink_identity.service_layer.submit_id_verification import SubmitIdVerification
from kinlink_identity.service_layer.submit_id_verification import submit_id_verification
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import ResourceExhausted
from kinlink_kit.testing import Clock

from tests.integration.identity.conftest import RecordingMailer
from tests.integration.identity.test_cards import HOME
from tests.integration.identity.test_cards import PASSWORD
from tests.integration.identity.test_id_verification import EMAIL
from tests.integration.identity.test_id_verification import FAILING_SSN
from tests.integration.identity.test_id_verification import LEGAL
from tests.integration.identity.test_id_verification import SSN
from tests.integration.identity.test_id_verification import CountingProvider
from tests.integration.identity.test_id_verification import pending_account
from tests.integration.identity.test_id_verification import submit
from tests.integration.identity.test_id_verification import submit_with_link


def submit_from(identity: Identity, account: Account, address: str, ssn: str = SSN) -> Account:
    return submit_id_verification(
        identity,
        SubmitIdVerification(str(account.id), ssn=ssn, client_address=address, **LEGAL),  # type: ignore[arg-type]
    )


def test_past_the_limit_of_failures_the_provider_is_not_asked(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    provider = CountingProvider()
    identity.verification = provider
    account = pending_account(identity)
    link = mailer.last_token(EMAIL)
    limit = ID_VERIFICATION_LIMITS.per_account
    for _ in range(limit):
        with pytest.raises(FailedPrecondition) as failed:
            submit(identity, account, FAILING_SSN)
        assert failed.value.code == "id_verification_failed"

    # Neither with the session nor with the activation link, nor with the right details.
    for attempt in (lambda: submit(identity, account), lambda: submit_with_link(identity, link)):
        with pytest.raises(ResourceExhausted) as refused:
            attempt()
        assert refused.value.code == "too_many_attempts"
    assert provider.calls == limit
    assert identity.account(account.id).id_verification is IdVerification.FAILED

    # A day later the holder may try again, and the link, never spent, still activates.
    clock.now += ID_VERIFICATION_LIMITS.window
    activated = submit_with_link(identity, link)
    assert (activated.status, activated.id_verification) == (
        AccountStatus.ACTIVE,
        IdVerification.VERIFIED,
    )
    assert provider.calls == limit + 1


def test_failures_from_one_address_are_limited_over_every_account(identity: Identity) -> None:
    provider = CountingProvider()
    identity.verification = provider
    limits = ID_VERIFICATION_LIMITS
    accounts = [pending_account(identity)] + [
        register(
            identity,
            Register(
                f"pat{n}@example.com",
                PASSWORD,
                "Pat",
                "Doe",
                HOME,
                "+13125550100",
                "America/Chicago",
                "FAC-IDV",
            ),
        )
        for n in range(limits.per_address // limits.per_account)
    ]
    tester = "198.51.100.7"
    for account in accounts[:-1]:
        for _ in range(limits.per_account):
            with pytest.raises(FailedPrecondition):
                submit_from(identity, account, tester, FAILING_SSN)
    assert provider.calls == limits.per_address

    with pytest.raises(ResourceExhausted) as refused:
        submit_from(identity, accounts[-1], tester)
    assert refused.value.code == "too_many_attempts"
    assert provider.calls == limits.per_address
    # The same account from elsewhere is not held back by that address.
    verified = submit_from(identity, accounts[-1], "192.0.2.1")
    assert verified.id_verification is IdVerification.VERIFIED


class UnansweringProvider(CountingProvider):
    def verify(self, documents: IdDocuments) -> VerificationResult:
        super().verify(documents)
        raise TimeoutError("the provider did not answer")


def test_a_provider_that_does_not_answer_costs_the_holder_no_attempt(identity: Identity) -> None:
    account = pending_account(identity)
    identity.verification = UnansweringProvider()
    for _ in range(ID_VERIFICATION_LIMITS.per_account + 1):
        with pytest.raises(TimeoutError):
            submit(identity, account)
    identity.verification = CountingProvider()
    assert submit(identity, account).id_verification is IdVerification.VERIFIED
