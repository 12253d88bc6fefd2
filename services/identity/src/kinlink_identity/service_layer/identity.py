"""The identity application: its event store and the collaborators its use cases need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from kinlink_kit.application import ServiceApplication
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.views import ViewStore

from kinlink_identity.adapters.attempt_throttle import AttemptThrottle
from kinlink_identity.adapters.card_list_view import CardList
from kinlink_identity.adapters.facility_directory_view import FacilityDirectory
from kinlink_identity.adapters.passwords import PasswordHasher
from kinlink_identity.adapters.personal_data_vault import PersonalDataVault
from kinlink_identity.adapters.resident_directory_view import ResidentDirectory
from kinlink_identity.adapters.staff_account_list_view import StaffAccountList
from kinlink_identity.adapters.token_signer import TokenSigner
from kinlink_identity.domain.account import Account
from kinlink_identity.domain.account import AccountNotFound
from kinlink_identity.domain.card_processor import CardLookup
from kinlink_identity.domain.email_claim import EmailClaim
from kinlink_identity.domain.id_verification import VerificationProvider
from kinlink_identity.domain.ids import email_claim_id
from kinlink_identity.domain.mail import Mailer


class IdentityStore(TrackedApplication):
    name = "identity"


@dataclass(frozen=True)
class IdentityPolicy:
    """Lifetimes and links, from the settings."""

    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    activation_ttl: timedelta = timedelta(hours=48)
    password_reset_ttl: timedelta = timedelta(hours=1)
    email_change_ttl: timedelta = timedelta(hours=24)
    reactivation_ttl: timedelta = timedelta(hours=48)
    # Links in emails: the token is appended to these.
    public_url: str = "http://127.0.0.1:8080"
    # Count failed attempts by the last X-Forwarded-For hop: only behind a proxy that adds it.
    trust_forwarded_for: bool = False


@dataclass
class Identity(ServiceApplication[IdentityStore, ViewStore]):
    policy: IdentityPolicy
    signer: TokenSigner
    # Checks the refresh tokens identity signed, with its own key and those being rotated out.
    verifier: TokenVerifier
    passwords: PasswordHasher
    throttle: AttemptThrottle
    mailer: Mailer
    cards: CardLookup
    card_list: CardList
    verification: VerificationProvider
    vault: PersonalDataVault
    facilities: FacilityDirectory
    residents: ResidentDirectory
    staff_accounts: StaffAccountList

    def account(self, account_id: UUID | str) -> Account:
        """The account; a malformed id is as unknown as a missing one."""
        try:
            uuid = UUID(str(account_id))
        except ValueError:
            raise AccountNotFound() from None
        return self.require(uuid, Account, AccountNotFound)

    def account_by_email(self, email: str) -> Account | None:
        """The account holding this (normalized) address now, if any."""
        claim = self.find(email_claim_id(email), EmailClaim)
        if claim is None or claim.account_id is None:
            return None
        return self.find(claim.account_id, Account)
