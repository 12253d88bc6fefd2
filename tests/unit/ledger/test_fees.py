import pytest
from kinlink_kit.errors import InvalidArgument
from kinlink_ledger.domain.facility import FeeSchedule
from kinlink_ledger.domain.facility import FeeTier
from kinlink_ledger.domain.money import Cents

SCHEDULE = FeeSchedule(
    (
        FeeTier(Cents(2000), Cents(295)),
        FeeTier(Cents(10000), Cents(595)),
        FeeTier(Cents(30000), Cents(995)),
    )
)


@pytest.mark.parametrize(
    ("amount", "fee"), [(1, 295), (2000, 295), (2001, 595), (10000, 595), (30000, 995)]
)
def test_the_fee_is_the_first_tier_the_amount_fits(amount: int, fee: int) -> None:
    assert SCHEDULE.fee_for(Cents(amount)) == fee


def test_an_amount_above_the_last_tier_is_refused() -> None:
    with pytest.raises(InvalidArgument) as refused:
        SCHEDULE.fee_for(Cents(30001))
    assert refused.value.code == "amount_above_largest_deposit"


def test_tiers_out_of_order_are_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="increasing"):
        FeeSchedule((FeeTier(Cents(5000), Cents(1)), FeeTier(Cents(2000), Cents(1))))
