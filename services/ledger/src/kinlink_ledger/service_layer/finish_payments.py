"""The payment sweep: every payment left in flight (a deposit, a wallet funding, an allowance's
capture, a commissary order's attempt) is finished through the processor's payment the ledger
recorded, never a new one: a crash between the processor's answer and its record, a lost answer
or a charge still `processing` leaves it there, and the processor forgets idempotency keys after
24 hours (decision 0016). A payment younger than `settled_after` is left to the request still
handling it.

Idempotent: each payment is finished as its own use case finishes it when asked again. A charge
still processing is waited out (the next sweep asks again); a definite failure releases what the
payment reserved (the resident's week).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from uuid import UUID

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import OLDEST_PAYMENT_IN_FLIGHT_SECONDS
from kinlink_kit.metrics import PAYMENTS_IN_FLIGHT

from kinlink_ledger.adapters.payments_in_flight_view import PaymentKind
from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.order_charge import AttemptStatus
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.charge_order import finish_attempt
from kinlink_ledger.service_layer.complete_funding import CompleteFunding
from kinlink_ledger.service_layer.complete_funding import complete_funding
from kinlink_ledger.service_layer.confirm_deposit import finish_deposit
from kinlink_ledger.service_layer.end_allowance import end_allowance
from kinlink_ledger.service_layer.ledger import Ledger

log = get_logger(__name__)


def finish_payments_in_flight(ledger: Ledger, settled_after: timedelta) -> int:
    """Finish the payments in flight for `settled_after` or longer; returns how many were
    finished now."""
    now = ledger.clock()
    in_flight = ledger.views.payments_in_flight.in_flight()
    _count(in_flight, now)
    finishers: dict[str, Callable[[Ledger, UUID], bool]] = {
        PaymentKind.DEPOSIT: _finish_deposit,
        PaymentKind.WALLET_FUNDING: _finish_funding,
        PaymentKind.ALLOWANCE_CAPTURE: _finish_capture,
        PaymentKind.COMMISSARY_ORDER: _finish_order,
    }
    finished = 0
    for payment in in_flight:
        if now - datetime.fromisoformat(payment["started_at"]) < settled_after:
            continue
        context = {"kind": payment["kind"], "payment_id": payment["payment_id"]}
        try:
            done = finishers[payment["kind"]](ledger, UUID(payment["aggregate_id"]))
        except FailedPrecondition as error:
            # The processor did not answer, or the charge is still processing: next sweep.
            log.warning("payment not finished yet", code=error.code, **context)
            continue
        except Exception:
            # One payment the processor cannot finish must not keep the sweep from the others.
            log.exception("payment not finished; the next sweep tries again", **context)
            continue
        if done:
            finished += 1
            log.info("payment in flight finished", **context)
        else:
            log.info("payment still processing; the next sweep asks again", **context)
    return finished


def _count(in_flight: list[dict[str, str]], now: datetime) -> None:
    for kind in PaymentKind:
        started = [
            datetime.fromisoformat(row["started_at"]) for row in in_flight if row["kind"] == kind
        ]
        PAYMENTS_IN_FLIGHT.labels(kind.value).set(len(started))
        oldest = (now - min(started)).total_seconds() if started else 0.0
        OLDEST_PAYMENT_IN_FLIGHT_SECONDS.labels(kind.value).set(oldest)


def _finish_deposit(ledger: Ledger, deposit_id: UUID) -> bool:
    return finish_deposit(ledger, ledger.deposit(deposit_id)).status is not DepositStatus.PENDING


def _finish_funding(ledger: Ledger, wallet_id: UUID) -> bool:
    wallet = ledger.find(wallet_id, MessagingWallet)
    if wallet is not None and wallet.funding is not None:
        # A payer still on the issuer's challenge this long is given up, as on coming back.
        complete_funding(ledger, CompleteFunding(wallet.account_id))
    return True


def _finish_capture(ledger: Ledger, allowance_id: UUID) -> bool:
    allowance = ledger.find(allowance_id, CommissaryAllowance)
    if allowance is not None and allowance.status is AllowanceStatus.ENDING:
        end_allowance(ledger, allowance.allowance_id)
    return True


def _finish_order(ledger: Ledger, charge_id: UUID) -> bool:
    charge = ledger.find(charge_id, OrderCharge)
    pending = None if charge is None else charge.pending
    if charge is None or pending is None:
        return True
    finished = finish_attempt(ledger, charge, pending.number).attempt
    return finished.status is not AttemptStatus.PENDING
