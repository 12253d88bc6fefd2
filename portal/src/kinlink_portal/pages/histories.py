"""A family member's histories: their deposits, and their messaging subscription's fundings,
charges and credits, each with its receipt where there is one."""

from __future__ import annotations

from kinlink.ledger.v1 import ledger_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.facilities import facilities
from kinlink_portal.money import dollars
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.sentences import sentence
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

DEPOSIT_STATUS = {
    pb.DEPOSIT_STATUS_PENDING: N_("Being processed"),
    pb.DEPOSIT_STATUS_CAPTURED: N_("Paid: the facility will credit it soon"),
    pb.DEPOSIT_STATUS_DECLINED: N_("Declined: your card was not charged"),
    pb.DEPOSIT_STATUS_POSTED: N_("Credited to the resident's account"),
}
WALLET_ENTRY = {
    pb.WALLET_ENTRY_KIND_FUNDING: N_("Funding from your card"),
    pb.WALLET_ENTRY_KIND_FUNDING_FAILED: N_("Funding failed: your card was not charged"),
    pb.WALLET_ENTRY_KIND_CHARGE: N_("Charge"),
    pb.WALLET_ENTRY_KIND_CREDIT: N_("Credit from Kinlink"),
    pb.WALLET_ENTRY_KIND_REFUND: N_("Refund of a charge"),
}

# What a charge paid for, or why a credit was granted, the ledger says in English prose; a
# funding's row says all there is in the visitor's language (a failed one charged nothing).
DESCRIBED = frozenset(
    {pb.WALLET_ENTRY_KIND_CHARGE, pb.WALLET_ENTRY_KIND_CREDIT, pb.WALLET_ENTRY_KIND_REFUND}
)


async def deposit_history(request: Request) -> Response:
    listed = await call_signed_in(
        request, services(request).ledger.ListDeposits, pb.ListDepositsRequest()
    )
    known = await facilities(request)
    rows = [
        {
            "deposit_id": d.deposit_id,
            "when": known.local_time(d.requested_at, d.facility_id),
            "resident": d.resident_id,
            "facility": known.name(d.facility_id),
            "amount": dollars(d.amount_cents),
            "fee": dollars(d.fee_cents),
            "total": dollars(d.total_cents),
            "status": DEPOSIT_STATUS.get(d.status, N_("Being processed")),
            "why": sentence(d.decline_reason) if d.decline_reason else "",
        }
        for d in listed.deposits
    ]
    return render(request, "deposit_history.html", deposits=rows)


async def messaging_history(request: Request) -> Response:
    listed = await call_signed_in(
        request, services(request).ledger.ListWalletHistory, pb.ListWalletHistoryRequest()
    )
    known = await facilities(request)
    rows = [
        {
            "when": known.local_time(e.occurred_at, e.facility_id),
            "kind": WALLET_ENTRY.get(e.kind, N_("Charge")),
            "description": e.description if e.kind in DESCRIBED else "",
            "amount": dollars(e.amount_cents),
            "receipt_number": e.receipt_number,
        }
        for e in listed.entries
    ]
    return render(request, "messaging_history.html", entries=rows)


async def receipt(request: Request) -> Response:
    """A captured payment's receipt (a wallet funding, an allowance's capture, a deposit)."""
    asked = pb.GetReceiptRequest(receipt_number=request.path_params["receipt_number"])
    found = await call_signed_in(request, services(request).ledger.GetReceipt, asked)
    known = await facilities(request)
    return render(
        request,
        "receipt.html",
        receipt=found,
        when=known.local_time(found.captured_at, found.facility_id),
        lines=[(line.description, dollars(line.amount_cents)) for line in found.lines],
        total=dollars(found.total_cents),
        hold=(dollars(found.hold.authorized_cents), dollars(found.hold.released_cents))
        if found.HasField("hold")
        else None,
    )


routes = [
    Route("/history/deposits", deposit_history),
    Route("/history/messaging", messaging_history),
    Route("/receipts/{receipt_number}", receipt),
]
