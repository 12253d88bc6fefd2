"""ConfirmDeposit: reserve the amount in the resident's week, charge the card, record the outcome.

The deposit's id derives from the quote, and an idempotency claim points at it, so a repeated
confirmation (same quote or same key) finds the first deposit instead of charging again. The card
is charged through a payment started with the deposit id as the processor's idempotency key and
recorded before it is confirmed: a deposit left pending (a crash, a lost or `processing` answer)
is finished by the payment sweep, or the next confirmation, by that payment, never charged twice.
The payment is started before the request is first saved, so that both are recorded in one save
(decision 0110); a processor that does not answer then leaves the request recorded without it.

Only the family member the quote was made for can confirm it; to anyone else it does not exist.
It is confirmed with one of their own cards, for a resident still held where the quote was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unavailable
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.logging import get_logger

from kinlink_ledger.domain.account_cards import AccountCards
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.depositor_deposits import DepositorDeposits
from kinlink_ledger.domain.facility import FacilityRules
from kinlink_ledger.domain.idempotency import IdempotencyClaim
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.domain.payments import UnknownPaymentMethod
from kinlink_ledger.domain.quote import DepositQuote
from kinlink_ledger.domain.quote import QuoteNotFound
from kinlink_ledger.domain.resident import Resident
from kinlink_ledger.domain.resident_week import ResidentWeek
from kinlink_ledger.domain.resident_week import WeeklyLimitExceeded
from kinlink_ledger.domain.week import deposit_week_start
from kinlink_ledger.service_layer.account_cards import check_own_card
from kinlink_ledger.service_layer.id_verification import check_id_verification
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.residents import where_held

log = get_logger(__name__)


@dataclass(frozen=True)
class ConfirmDeposit:
    quote_id: str
    depositor_id: str  # who confirms: the signed-in family member
    payment_method: str
    idempotency_key: str
    correlation_id: str = ""
    # Whether identity verified the depositor (their token says): some facilities need it.
    depositor_verified: bool = False


def confirm_deposit(ledger: Ledger, command: ConfirmDeposit) -> Deposit:
    quote_id = parse_id(command.quote_id, "quote_id")
    if not command.payment_method.strip():
        raise InvalidArgument("payment_method_missing", "A payment method is required.")
    if not command.idempotency_key.strip():
        raise InvalidArgument("idempotency_key_missing", "An idempotency key is required.")
    quote = ledger.quote(quote_id)
    if quote.depositor_id != command.depositor_id:
        # The same answer as for an unknown quote: quote ids tell nothing about other families.
        raise QuoteNotFound()
    facility = ledger.facilities.get(quote.facility_id)
    with ledger.store.reading_ahead(*_read_by_request(ledger, quote, facility)):
        deposit, week = _request_or_first(ledger, quote, command, facility)
    # Out of the block: finishing reads what it reads as it is then, not as it was read ahead.
    return finish_deposit(ledger, deposit, week)


def _request_or_first(
    ledger: Ledger, quote: DepositQuote, command: ConfirmDeposit, facility: FacilityRules
) -> tuple[Deposit, ResidentWeek | None]:
    """The deposit recorded now with its week, or the one already recorded for this quote or
    key (without a week: finishing it reads the week again)."""
    claim_id = IdempotencyClaim.create_id(quote.depositor_id, command.idempotency_key)
    deposit_id = Deposit.create_id(quote.id)
    try:
        _check_card_and_resident(ledger, quote, command)
    except ClientError:
        # Confirming a deposit already made again finishes it, whatever changed since.
        first = _first_deposit(ledger, claim_id, deposit_id)
        if first is None:
            raise
        return first, None

    def made_first() -> tuple[Deposit, ResidentWeek | None] | None:
        # Someone moved first: this very deposit or key (then that one is the answer), or
        # another deposit to the resident's week (then try again on the week as it is now).
        first = _first_deposit(ledger, claim_id, deposit_id)
        return None if first is None else (first, None)

    return ledger.retrying(
        lambda: _request(ledger, quote, command, facility), on_conflict=made_first
    )


def _read_by_request(ledger: Ledger, quote: DepositQuote, facility: FacilityRules) -> list[UUID]:
    """What checking and recording the request reads, to read it in one trip: the depositor's
    cards and requests, the resident and the resident's week."""
    week_start = deposit_week_start(ledger.clock(), facility.time_zone).isoformat()
    return [
        AccountCards.create_id(quote.depositor_id),
        Resident.create_id(quote.facility_id, quote.resident_id),
        DepositorDeposits.create_id(quote.depositor_id),
        ResidentWeek.create_id(quote.facility_id, quote.resident_id, week_start),
    ]


def _first_deposit(ledger: Ledger, claim_id: UUID, deposit_id: UUID) -> Deposit | None:
    claim = ledger.find(claim_id, IdempotencyClaim)
    if claim is not None:
        return ledger.deposit(claim.deposit_id)
    return ledger.find(deposit_id, Deposit)


def _check_card_and_resident(ledger: Ledger, quote: DepositQuote, command: ConfirmDeposit) -> None:
    check_own_card(ledger, quote.depositor_id, command.payment_method)
    # Checked again (it was when quoting): the resident may have been released or moved since.
    if where_held(ledger, quote.facility_id, quote.resident_id) != (
        quote.facility_id,
        quote.resident_id,
    ):
        raise FailedPrecondition(
            "resident_transferred",
            "The resident moved to another facility since this quote: ask for a new quote.",
        )


def _request(
    ledger: Ledger, quote: DepositQuote, command: ConfirmDeposit, facility: FacilityRules
) -> tuple[Deposit, ResidentWeek]:
    """Record the deposit and its reservation (or its refusal) in one transaction, with the
    depositor's request: concurrent ones collide there and check the ID-verification rule again."""
    now = ledger.clock()
    week_start = deposit_week_start(now, facility.time_zone).isoformat()
    deposit = Deposit(
        quote_id=quote.id,
        facility_id=quote.facility_id,
        resident_id=quote.resident_id,
        depositor_id=quote.depositor_id,
        amount=quote.amount,
        fee=quote.fee,
        week_start=week_start,
        payment_method=command.payment_method,
        requested_at=now,
        correlation_id=command.correlation_id,
    )
    claim = IdempotencyClaim(quote.depositor_id, command.idempotency_key, deposit.id)
    depositor = ledger.depositor_deposits(quote.depositor_id)
    # One already recorded is this very deposit confirmed again: the save finds it.
    again = depositor.recorded(deposit.id)
    if not again:
        check_id_verification(ledger, facility, depositor, quote.amount, command.depositor_verified)
    depositor.record(deposit.id, quote.amount, now)
    week = ledger.week(quote.facility_id, quote.resident_id, week_start)
    refusal = card_refusal(ledger, facility, command.payment_method)
    if refusal is None and quote.has_expired(now):
        refusal = DeclineReason.QUOTE_EXPIRED
    if refusal is None:
        try:
            week.reserve(str(deposit.id), quote.amount, facility.weekly_limit)
        except WeeklyLimitExceeded:
            refusal = DeclineReason.LIMIT_EXCEEDED
    if refusal is not None:
        deposit.decline(refusal)
    # Confirmed again, the save collides with the first, whose finishing starts its payment.
    unanswered = None if refusal is not None or again else _payment_ahead(ledger, deposit)
    ledger.store.save(deposit, claim, week, depositor)
    if unanswered is not None:
        raise _outcome_unknown() from unanswered
    return deposit, week


def _payment_ahead(ledger: Ledger, deposit: Deposit) -> PaymentUnavailable | None:
    """Start the deposit's payment for the request's save to record with it (decision 0110), or
    leave it unstarted for `finish_deposit` to start: a refusal is recorded there, and a
    processor that did not answer is returned, for the confirmation to say so once the request
    is saved (trying again within the same call would make the family wait twice)."""
    try:
        deposit.payment_started(ledger.payments.start(_charge_request(deposit)))
    except PaymentRefused:
        return None
    except PaymentUnavailable as error:
        return error
    return None


def card_refusal(
    ledger: Ledger, facility: FacilityRules, payment_method: str
) -> DeclineReason | None:
    """Cards the facility does not take are refused before anything is reserved or charged."""
    try:
        card = ledger.payments.card_details(payment_method)
    except UnknownPaymentMethod:
        raise InvalidArgument(
            "payment_method_unknown", "The card processor does not know this payment method."
        ) from None
    except PaymentUnavailable:
        raise Unavailable("processor_unavailable", "The card processor is unreachable.") from None
    if card.funding == "prepaid":
        return DeclineReason.PREPAID_NOT_SUPPORTED
    if card.brand not in facility.accepted_brands:
        return DeclineReason.CARD_BRAND_NOT_ACCEPTED
    return None


def finish_deposit(ledger: Ledger, deposit: Deposit, week: ResidentWeek | None = None) -> Deposit:
    """Charge a pending deposit and record the outcome; a settled one is returned as it is, and
    one whose charge is still processing too (the payment sweep finishes it).

    `deposit` and `week` are what the caller just saved or read; they are re-read only when
    someone changed them meanwhile."""
    if deposit.status is not DepositStatus.PENDING:
        return deposit
    try:
        if deposit.payment_reference is None:
            deposit = _start_payment(ledger, deposit)
        if deposit.status is not DepositStatus.PENDING or deposit.payment_reference is None:
            return deposit
        outcome = ledger.payments.confirm(deposit.payment_reference, payer_present=False)
    except PaymentUnavailable:
        raise _outcome_unknown() from None
    except PaymentRefused as refused:
        log.warning(
            "the processor refused a deposit", deposit_id=str(deposit.id), error=str(refused)
        )
        outcome = ChargeOutcome(None, DeclineReason.PAYMENT_REFUSED)
    if outcome.processing:
        return deposit

    def record() -> Deposit:
        nonlocal week
        if outcome.captured:
            assert outcome.reference is not None
            deposit.capture(outcome.reference, ledger.clock())
            ledger.store.save(deposit)
            return deposit
        assert outcome.decline_reason is not None
        deposit.decline(outcome.decline_reason)
        if week is None:
            week = ledger.week(deposit.facility_id, deposit.resident_id, deposit.week_start)
        week.release(str(deposit.id))
        ledger.store.save(deposit, week)
        return deposit

    def settled_meanwhile() -> Deposit | None:
        nonlocal deposit, week
        deposit, week = ledger.deposit(deposit.id), None
        return None if deposit.status is DepositStatus.PENDING else deposit

    return ledger.retrying(record, on_conflict=settled_meanwhile)


def _outcome_unknown() -> FailedPrecondition:
    return FailedPrecondition(
        "charge_outcome_unknown",
        "The card processor did not answer. The deposit is finished as soon as it does; "
        "confirming again is safe and never charges twice.",
    )


def _charge_request(deposit: Deposit) -> ChargeRequest:
    """The deposit's payment: keyed by the deposit, so that every start of it is the same one."""
    return ChargeRequest(
        idempotency_key=str(deposit.id),
        amount=deposit.total,
        payment_method=deposit.payment_method,
        description=f"Deposit to resident {deposit.resident_id}",
        metadata={"deposit_id": str(deposit.id), "facility_id": deposit.facility_id},
    )


def _start_payment(ledger: Ledger, deposit: Deposit) -> Deposit:
    """Start the processor's payment and record its reference, unless someone recorded one (or
    settled the deposit) meanwhile: only the recorded payment is ever confirmed."""
    reference = ledger.payments.start(_charge_request(deposit))

    def record_payment() -> Deposit:
        deposit.payment_started(reference)
        ledger.store.save(deposit)
        return deposit

    def started_meanwhile() -> Deposit | None:
        nonlocal deposit
        deposit = ledger.deposit(deposit.id)
        started = deposit.status is not DepositStatus.PENDING or deposit.payment_reference
        return deposit if started else None

    return ledger.retrying(record_payment, on_conflict=started_meanwhile)
