"""An account: a family member's, or a staff member's with roles and facilities."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound


class AccountStatus(StrEnum):
    PENDING_ACTIVATION = "pending_activation"
    ACTIVE = "active"
    CLOSED = "closed"


class IdVerification(StrEnum):
    NOT_REQUIRED = "not_required"
    REQUIRED = "required"
    VERIFIED = "verified"
    FAILED = "failed"


# Postal addresses are kept as plain mappings of PostalAddress's fields (line1, line2, city,
# region, postal_code, country): that is how they are stored in events.
Address = dict[str, str]


class AccountNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("account_not_found", "No such account.")


class Account(Aggregate):
    class Registered(Aggregate.Created):
        email: str
        password_hash: str
        first_name: str
        last_name: str
        address: Address
        phone: str
        time_zone: str
        roles: list[str]
        facility_ids: list[str]
        registered_at: datetime
        id_verification_required: bool

    class Activated(Aggregate.Event):
        pass

    class PasswordChanged(Aggregate.Event):
        password_hash: str

    class PasswordRehashed(Aggregate.Event):
        password_hash: str

    class DetailsEdited(Aggregate.Event):
        first_name: str
        last_name: str
        address: Address
        phone: str
        time_zone: str

    class EmailChanged(Aggregate.Event):
        email: str

    class EmailSubscriptionChanged(Aggregate.Event):
        subscribed: bool

    class Closed(Aggregate.Event):
        pass

    class Reactivated(Aggregate.Event):
        pass

    class IdVerified(Aggregate.Event):
        provider_reference: str

    class IdVerificationFailed(Aggregate.Event):
        provider_reference: str

    class MessagingSubscriptionCardChosen(Aggregate.Event):
        card_id: UUID

    class MessagingSubscriptionCardReleased(Aggregate.Event):
        """The ledger disabled the subscription the card funded: no card funds it now."""

        card_id: UUID

    @event(Registered)
    def __init__(
        self,
        email: str,
        password_hash: str,
        first_name: str,
        last_name: str,
        address: Address,
        phone: str,
        time_zone: str,
        roles: list[str],
        facility_ids: list[str],
        registered_at: datetime,
        id_verification_required: bool,
    ) -> None:
        self.email = email
        self.password_hash = password_hash
        self.first_name = first_name
        self.last_name = last_name
        self.address = dict(address)
        self.phone = phone
        self.time_zone = time_zone
        self.roles = frozenset(Role(role) for role in roles)
        self.facility_ids = frozenset(facility_ids)
        self.registered_at = registered_at
        self.status = AccountStatus.PENDING_ACTIVATION
        self.email_subscribed = True
        self.id_verification = (
            IdVerification.REQUIRED if id_verification_required else IdVerification.NOT_REQUIRED
        )
        # Raised by every password change: refresh tokens of an older epoch stop working.
        self.session_epoch = 0
        self.messaging_subscription_card_id: UUID | None = None
        # How many times a card was chosen: the number of the choice that marked the card now.
        self.messaging_subscription_card_choices = 0
        self.id_verification_reference = ""

    # --- what the account may do --------------------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    def principal(self) -> Principal:
        return Principal(
            account_id=str(self.id),
            roles=self.roles,
            facilities=self.facility_ids,
            id_verified=self.id_verification is IdVerification.VERIFIED,
        )

    def check_active(self) -> None:
        if self.status is AccountStatus.PENDING_ACTIVATION:
            raise FailedPrecondition(
                "account_not_activated", "Activate the account with the link we emailed first."
            )
        if self.status is AccountStatus.CLOSED:
            raise FailedPrecondition("account_closed", "This account is closed.")

    def check_subscribed_to_email(self) -> None:
        """Requirements: an account unsubscribed from emails cannot reset its password or
        reactivate."""
        if not self.email_subscribed:
            raise FailedPrecondition(
                "email_unsubscribed",
                "This account has unsubscribed from our emails; re-subscribe to continue.",
            )

    # --- changes ------------------------------------------------------------------------------

    def activate(self) -> None:
        if self.status is not AccountStatus.PENDING_ACTIVATION:
            raise FailedPrecondition("account_already_active", "This account is already active.")
        if self.id_verification in (IdVerification.REQUIRED, IdVerification.FAILED):
            raise FailedPrecondition(
                "id_verification_required",
                "Due to Federal regulations this account must pass ID verification first.",
            )
        self._activated()

    @event(Activated)
    def _activated(self) -> None:
        self.status = AccountStatus.ACTIVE

    @event(PasswordChanged)
    def change_password(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.session_epoch += 1

    @event(PasswordRehashed)
    def rehash_password(self, password_hash: str) -> None:
        """The same password under today's hashing costs: sessions go on."""
        self.password_hash = password_hash

    @event(DetailsEdited)
    def edit_details(
        self, first_name: str, last_name: str, address: Address, phone: str, time_zone: str
    ) -> None:
        self.first_name = first_name
        self.last_name = last_name
        self.address = dict(address)
        self.phone = phone
        self.time_zone = time_zone

    @event(EmailChanged)
    def change_email(self, email: str) -> None:
        self.email = email

    def set_email_subscription(self, subscribed: bool) -> None:
        if subscribed != self.email_subscribed:
            self._email_subscription_changed(subscribed)

    @event(EmailSubscriptionChanged)
    def _email_subscription_changed(self, subscribed: bool) -> None:
        self.email_subscribed = subscribed

    def close(self) -> None:
        if self.status is AccountStatus.CLOSED:
            raise FailedPrecondition("account_closed", "This account is already closed.")
        self._closed()

    @event(Closed)
    def _closed(self) -> None:
        self.status = AccountStatus.CLOSED
        self.session_epoch += 1
        # Closing erases the identity documents: a reactivated account verifies again.
        if self.id_verification is IdVerification.VERIFIED:
            self.id_verification = IdVerification.REQUIRED

    def reactivate(self) -> None:
        if self.status is not AccountStatus.CLOSED:
            raise FailedPrecondition("account_not_closed", "This account is not closed.")
        self._reactivated()

    @event(Reactivated)
    def _reactivated(self) -> None:
        self.status = AccountStatus.ACTIVE

    @event(IdVerified)
    def id_verified(self, provider_reference: str) -> None:
        self.id_verification = IdVerification.VERIFIED
        self.id_verification_reference = provider_reference

    @event(IdVerificationFailed)
    def id_verification_failed(self, provider_reference: str) -> None:
        self.id_verification = IdVerification.FAILED

    def choose_messaging_subscription_card(self, card_id: UUID) -> None:
        if card_id != self.messaging_subscription_card_id:
            self._messaging_subscription_card_chosen(card_id)

    @event(MessagingSubscriptionCardChosen)
    def _messaging_subscription_card_chosen(self, card_id: UUID) -> None:
        self.messaging_subscription_card_id = card_id
        self.messaging_subscription_card_choices += 1

    def release_messaging_subscription_card(self, card_id: UUID, choice: int | None) -> bool:
        """Clear the mark, if the card is still marked by the choice the ledger released
        (`choice` None: a choice published before they were numbered; the card decides).
        Returns whether it was cleared: a card chosen since keeps its mark."""
        if card_id != self.messaging_subscription_card_id or choice not in (
            None,
            self.messaging_subscription_card_choices,
        ):
            return False
        self._messaging_subscription_card_released(card_id)
        return True

    @event(MessagingSubscriptionCardReleased)
    def _messaging_subscription_card_released(self, card_id: UUID) -> None:
        self.messaging_subscription_card_id = None
