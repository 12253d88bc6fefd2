"""The messaging subscription: its state, setting it up on the card identity marks to fund it,
refilling it once it is used up, disabling it, choosing its card, and the check the card's bank
may ask the payer for before a funding is charged (3-D Secure)."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from enum import StrEnum
from urllib.parse import urlencode

from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.ledger.v1 import ledger_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.forms import FORM_WIDE
from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.money import dollars
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.rendering import render
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

# The bank's check a funding waits for: what presents it (Stripe's client secret), kept in the
# signed session between the funding and the payer's answer.
CHALLENGE = "funding_challenge"
SET_UP = ("facility_id", "funding_amount_cents")
SET_UP_REQUIRED = {
    "facility_id": "facility_id_missing",
    "funding_amount_cents": "funding_amount_missing",
}


class State(StrEnum):
    NOT_SET_UP = "not_set_up"
    ACTIVE = "active"
    DEPLETED = "depleted"
    DISABLED = "disabled"
    # A funding waits for its outcome: the payer's answer to their bank, or the processor.
    FUNDING = "funding"


def state_of(wallet: pb.Wallet | None) -> State:
    if wallet is None:
        return State.NOT_SET_UP
    if wallet.funding_in_progress:
        return State.FUNDING
    if not wallet.subscription_active:
        return State.DISABLED
    return State.ACTIVE if wallet.balance_cents > 0 else State.DEPLETED


NOTICES = {
    "funded": lambda: _("Your messaging subscription is funded."),
    "disabled": lambda: _(
        "Your messaging subscription is disabled: your card will not be charged again. What is "
        "left can still be spent."
    ),
    "card_chosen": lambda: _("This card funds your messaging subscription from now on."),
}


async def wallet_of(request: Request) -> pb.Wallet | None:
    """The family member's wallet, or None before they first set up a subscription."""
    try:
        ledger = services(request).ledger
        return await call_signed_in(request, ledger.GetWallet, pb.GetWalletRequest())
    except Refusal as refusal:
        if refusal.code == "subscription_not_found":
            return None
        raise


async def subscription_page(request: Request, problem: str = "", status: int = 200) -> Response:
    wallet = await wallet_of(request)
    cards = await call_signed_in(
        request, services(request).identity.ListCards, identity_pb.ListCardsRequest()
    )
    funding_card = next((c for c in cards.cards if c.funds_messaging_subscription), None)
    notice = NOTICES.get(request.query_params.get("notice", ""), lambda: "")()
    failed = request.query_params.get("failed", "")
    problem = problem or (sentence(failed) if failed else "")
    known = await facilities(request) if wallet is not None and wallet.facility_id else None
    return render(
        request,
        "messaging.html",
        status,
        state=state_of(wallet).value,
        wallet=wallet,
        facility_name=known.name(wallet.facility_id) if known and wallet else "",
        funding_card=funding_card,
        other_cards=[c for c in cards.cards if not c.funds_messaging_subscription],
        notice=notice,
        problem=Form((), errors={FORM_WIDE: problem} if problem else {}),
        challenge_waiting=CHALLENGE in request.session,
        dollars=dollars,
    )


async def subscription(request: Request) -> Response:
    return await subscription_page(request)


def after_funding(request: Request, result: pb.FundingResult) -> Response:
    """To the bank's check when the card's bank asks for one, else back to the subscription,
    which says how the funding ended."""
    if result.status == pb.FUNDING_STATUS_REQUIRES_AUTHENTICATION:
        request.session[CHALLENGE] = result.authentication
        return see_other("/messaging/authenticate")
    request.session.pop(CHALLENGE, None)
    if result.status == pb.FUNDING_STATUS_FUNDED:
        return with_notice("/messaging", "funded")
    failed = {"failed": result.failure_reason or "card_declined"}
    return see_other(f"/messaging?{urlencode(failed)}")


async def set_up(request: Request) -> Response:
    """Two steps without script: the facility, then one of its amounts."""
    known = await facilities(request)
    if request.method == "GET":
        form = Form(SET_UP, {"facility_id": request.query_params.get("facility_id", "")})
    else:
        form = await submitted(request, SET_UP)
        try:
            if not form.missing(SET_UP_REQUIRED):
                amount = int(form.values["funding_amount_cents"])
                setting_up = pb.SetUpSubscriptionRequest(
                    facility_id=form.values["facility_id"], funding_amount_cents=amount
                )
                ledger = services(request).ledger
                result = await call_signed_in(request, ledger.SetUpSubscription, setting_up)
                return after_funding(request, result)
        except ValueError:
            form.refused(Refusal("funding_amount_not_offered", "funding_amount_cents"))
        except Refusal as refusal:
            form.refused(refusal)
    chosen = known.by_id.get(form.values.get("facility_id", ""))
    amounts = list(chosen.messaging_funding_options_cents) if chosen is not None else []
    return render(
        request,
        "messaging_set_up.html",
        400 if form.errors else 200,
        form=form,
        facilities=known.options(),
        facility_name=known.name(form.values.get("facility_id", "")),
        amounts=[(str(cents), dollars(cents)) for cents in amounts],
    )


async def act(
    request: Request,
    method: Callable[..., Awaitable[Message]],
    message: Message,
    done: str | None = None,
) -> Response:
    """Refill, disable, complete or choose the card: a refusal is said at the top of the
    subscription page; a funding's outcome is followed (`after_funding`), else `done` said."""
    try:
        result = await call_signed_in(request, method, message)
    except Refusal as refusal:
        return await subscription_page(request, sentence(refusal.code), 400)
    if done is not None:
        return with_notice("/messaging", done)
    assert isinstance(result, pb.FundingResult)
    return after_funding(request, result)


async def refill(request: Request) -> Response:
    ledger = services(request).ledger
    return await act(request, ledger.RefillSubscription, pb.RefillSubscriptionRequest())


async def disable(request: Request) -> Response:
    ledger = services(request).ledger
    return await act(
        request, ledger.DisableSubscription, pb.DisableSubscriptionRequest(), done="disabled"
    )


async def complete(request: Request) -> Response:
    """The payer is back from their bank's check (or the processor did not answer): the ledger
    asks the processor how the charge stands and records it."""
    return await act(request, services(request).ledger.CompleteFunding, pb.CompleteFundingRequest())


async def choose_card(request: Request) -> Response:
    """Identity keeps which card funds the subscription; the ledger learns it from identity's
    MessagingSubscriptionCardChosen and charges that card from the next funding on."""
    form = await submitted(request, ("card_id",))
    choice = identity_pb.EditCardRequest(
        card_id=form.values["card_id"],
        fields=["fund_messaging_subscription"],
        fund_messaging_subscription=True,
    )
    return await act(request, services(request).identity.EditCard, choice, done="card_chosen")


async def authenticate(request: Request) -> Response:
    """The bank's check: Stripe.js presents it with a Stripe account; in the embedded mode a
    page of ours stands in for the bank (the simulated processor's)."""
    challenge = request.session.get(CHALLENGE)
    if not challenge:
        return see_other("/messaging")
    stand_in = request.app.state.card_issuer
    if request.method == "POST" and stand_in is not None:
        answer = (await submitted(request, ("answer",))).values["answer"]
        stand_in(challenge, passed=answer == "approve")
        return await complete(request)
    return render(
        request,
        "messaging_authenticate.html",
        client_secret=challenge,
        stripe_key=request.app.state.stripe_publishable_key,
        stand_in=stand_in is not None,
    )


routes = [
    Route("/messaging", subscription),
    Route("/messaging/set-up", set_up, methods=["GET", "POST"]),
    Route("/messaging/refill", refill, methods=["POST"]),
    Route("/messaging/disable", disable, methods=["POST"]),
    Route("/messaging/card", choose_card, methods=["POST"]),
    Route("/messaging/authenticate", authenticate, methods=["GET", "POST"]),
    Route("/messaging/complete", complete, methods=["POST"]),
]
