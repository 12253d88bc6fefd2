import pytest
import stripe
from kinlink_contracts.ledger import DeclineReason
from kinlink_ledger.adapters.stripe_processor import decline_reason


@pytest.mark.parametrize(
    ("code", "decline_code", "reason"),
    [
        ("card_declined", "insufficient_funds", DeclineReason.INSUFFICIENT_FUNDS),
        ("expired_card", None, DeclineReason.EXPIRED_CARD),
        ("card_declined", "generic_decline", DeclineReason.CARD_DECLINED),
        ("payment_intent_authentication_failure", None, DeclineReason.PAYER_AUTHENTICATION_FAILED),
        ("authentication_required", None, DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE),
    ],
)
def test_stripe_card_errors_map_to_stable_reasons(
    code: str, decline_code: str | None, reason: DeclineReason
) -> None:
    body = {"error": {"type": "card_error", "code": code, "message": "declined"}}
    if decline_code:
        body["error"]["decline_code"] = decline_code
    error = stripe.CardError("declined", None, code, json_body=body)
    assert decline_reason(error) == reason
