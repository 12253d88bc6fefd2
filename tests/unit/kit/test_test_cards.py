"""The processor's test cards every service's tests pick from are cards identity and the ledger
both know, alike: a test adds a card in identity and charges it in the ledger."""

import pytest
from kinlink_identity.adapters.simulated_cards import SimulatedCards
from kinlink_kit.testing import TEST_CARDS
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor


@pytest.mark.parametrize("card", TEST_CARDS)
def test_identity_and_the_ledger_know_every_test_card_alike(card: str) -> None:
    in_identity = SimulatedCards().details(card)
    in_ledger = SimulatedProcessor().card_details(card)
    assert (in_identity.brand, in_identity.funding) == (in_ledger.brand, in_ledger.funding)
