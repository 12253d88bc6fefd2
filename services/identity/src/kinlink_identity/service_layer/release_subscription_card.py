"""ReleaseSubscriptionCard: the ledger disabled the messaging subscription, so the card that funded
it is no longer marked and may be edited or removed again (requirements "Edit Payment Method": "You
must cancel your messaging subscription before you can remove your card or edit the card information
being used for the messaging subscription").

Ordering. The family may mark another card (or the same card again) while the ledger disables
the subscription, and the two services learn of each other's change only later, from Kafka. An
older disable must not clear a newer choice. Identity numbers its choices per account (1, 2, ...,
published in MessagingSubscriptionCardChosen as `choice`); the ledger keeps the choice it was
told last and, when it disables the subscription, releases that choice and names it in
MessagingSubscriptionDisabled. Identity clears the mark only if the card still marked is the one
released *by that same choice*: a card chosen since, even the same card chosen again, keeps its
mark, and the ledger, which will receive that choice after its disable, takes it as the card of
the next subscription. Choice numbers are compared rather than clocks: the two services' clocks
are not comparable, but the choice numbers are identity's own and the ledger only echoes them.
(A choice published before choices were numbered comes back without one: the card decides.)

Whatever is cleared here is also what the ledger released, so the ledger never charges a card
identity lets the family remove: setting the subscription up again needs a card marked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class ReleaseSubscriptionCard:
    account_id: UUID
    card_id: UUID
    # Identity's choice of the card the ledger released; None for a choice published unnumbered.
    choice: int | None


def releasing_subscription_card(
    identity: Identity, command: ReleaseSubscriptionCard
) -> list[Account]:
    """The account with the card's mark cleared, to be saved; nothing when a card was chosen
    since (or the mark is already cleared: the same disable, published again)."""
    account = identity.account(command.account_id)
    if account.release_messaging_subscription_card(command.card_id, command.choice):
        return [account]
    return []
