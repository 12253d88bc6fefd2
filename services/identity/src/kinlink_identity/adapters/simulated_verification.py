"""A verification provider in memory, for tests and the embedded mode.

Every valid set of documents passes, except those whose SSN ends in 9999: those fail, the way a
real provider fails a person it cannot match. References are random, so that nothing about the
SSN can be read back from one.
"""

from __future__ import annotations

import uuid

from kinlink_identity.domain.id_verification import IdDocuments
from kinlink_identity.domain.id_verification import VerificationProvider
from kinlink_identity.domain.id_verification import VerificationResult

FAILING_SSN_SERIAL = "9999"


class SimulatedVerification(VerificationProvider):
    def verify(self, documents: IdDocuments) -> VerificationResult:
        return VerificationResult(
            verified=not documents.ssn.endswith(FAILING_SSN_SERIAL),
            provider_reference=f"idv_sim_{uuid.uuid4().hex}",
        )
