"""The messaging subscription's wallet: set up, refill, complete, disable, charge (and look a
charge up, refund it), credit."""

from __future__ import annotations

import asyncio
from datetime import datetime
from datetime import timedelta
from uuid import UUID

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.entrypoints.messages import REQUEST_FIELDS
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.service_layer.charge_wallet import ChargeItem
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.complete_funding import CompleteFunding
from kinlink_ledger.service_layer.complete_funding import complete_funding
from kinlink_ledger.service_layer.disable_subscription import DisableSubscription
from kinlink_ledger.service_layer.disable_subscription import disable_subscription
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.refill_subscription import RefillSubscription
from kinlink_ledger.service_layer.refill_subscription import refill_subscription
from kinlink_ledger.service_layer.refund_charge import RefundCharge
from kinlink_ledger.service_layer.refund_charge import get_charge
from kinlink_ledger.service_layer.refund_charge import refund_charge
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription
from kinlink_ledger.service_layer.wallet_funding import FundingResult
from kinlink_ledger.service_layer.wallet_funding import FundingStatus
from kinlink_ledger.service_layer.wallets import require_wallet

_FAMILY = frozenset({Role.FAMILY_MEMBER})
WALLET_POLICY: AccessPolicy = {
    method("SetUpSubscription"): _FAMILY,
    method("RefillSubscription"): _FAMILY,
    method("CompleteFunding"): _FAMILY,
    method("DisableSubscription"): _FAMILY,
    method("GetWallet"): frozenset(
        {Role.FAMILY_MEMBER, Role.OPERATOR, Role.AUDITOR, Role.PLATFORM_SERVICE}
    ),
    method("Charge"): frozenset({Role.PLATFORM_SERVICE}),
    method("GetCharge"): frozenset({Role.PLATFORM_SERVICE, Role.OPERATOR, Role.AUDITOR}),
    method("RefundCharge"): frozenset({Role.PLATFORM_SERVICE}),
    # Visitation issues the refunds its operators approve (decision 0073).
    method("GrantCredit"): frozenset({Role.OPERATOR, Role.PLATFORM_SERVICE}),
}

_FUNDING_STATUS = proto_enum(FundingStatus, pb.FundingStatus)
_ITEM_CODES = ("kind_unknown", "quantity_out_of_range", "kind_repeated")


def own_or_named_account(principal: Principal, named: str) -> UUID:
    """Family members act as themselves; staff and services name the account."""
    if principal.has(Role.FAMILY_MEMBER):
        return parse_id(principal.account_id, "account_id")
    if not named:
        raise InvalidArgument("account_id_missing", "Name the account.", field="account_id")
    return parse_id(named, "account_id")


def wallet_message(wallet: MessagingWallet) -> pb.Wallet:
    return pb.Wallet(
        account_id=str(wallet.account_id),
        subscription_active=wallet.active,
        facility_id=wallet.facility_id or "",
        funding_amount_cents=wallet.funding_amount,
        balance_cents=wallet.balance,
        credit_cents=wallet.credits,
        funded_cents=wallet.funds,
        funding_in_progress=wallet.funding is not None,
    )


def funding_message(result: FundingResult) -> pb.FundingResult:
    return pb.FundingResult(
        funding_id=str(result.funding_id),
        status=_FUNDING_STATUS[result.status],
        failure_reason=result.failure_reason or "",
        authentication=result.authentication or "",
        wallet=wallet_message(result.wallet),
    )


def charge_message(charge: WalletCharge) -> pb.WalletCharge:
    first = charge.items[0]
    return pb.WalletCharge(
        charge_id=str(charge.id),
        account_id=str(charge.account_id),
        facility_id=charge.facility_id,
        kind=first.kind.value,
        quantity=first.quantity,
        unit_price_cents=first.unit_price,
        amount_cents=charge.amount,
        from_credit_cents=charge.from_credits,
        from_funded_cents=charge.from_funds,
        balance_after_cents=charge.balance_after,
        reference=charge.reference,
        charged_at=timestamp(charge.made_at),
        items=[
            pb.ChargedItem(
                kind=item.kind.value,
                quantity=item.quantity,
                unit_price_cents=item.unit_price,
                amount_cents=item.amount,
            )
            for item in charge.items
        ],
        refunded_at=timestamp(charge.refund.refunded_at) if charge.refund else None,
        refund_reason=charge.refund.reason if charge.refund else "",
    )


def charge_items(request: pb.ChargeRequest) -> tuple[ChargeItem, ...]:
    """The items asked for: `items`, or the one `kind` of requests made before items."""
    if not request.items:
        return (ChargeItem(request.kind, request.quantity),)
    if request.kind or request.quantity:
        raise InvalidArgument(
            "charge_items_ambiguous", "Name either one kind and quantity or items.", field="items"
        )
    return tuple(ChargeItem(item.kind, item.quantity) for item in request.items)


def _deadline(ledger: Ledger, context: grpc.aio.ServicerContext) -> datetime | None:
    """When the caller stops waiting, on the ledger's clock (None: it waits as long as it takes)."""
    remaining = context.time_remaining()
    return None if remaining is None else ledger.clock() + timedelta(seconds=remaining)


def _me() -> UUID:
    return parse_id(current_principal().account_id, "account_id")


class WalletApi:
    ledger: Ledger

    async def SetUpSubscription(
        self, request: pb.SetUpSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> pb.FundingResult:
        command = SetUpSubscription(_me(), request.facility_id, Cents(request.funding_amount_cents))
        with request_fields(REQUEST_FIELDS):
            result = await asyncio.to_thread(set_up_subscription, self.ledger, command)
        return funding_message(result)

    async def RefillSubscription(
        self, request: pb.RefillSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> pb.FundingResult:
        command = RefillSubscription(_me())
        return funding_message(await asyncio.to_thread(refill_subscription, self.ledger, command))

    async def CompleteFunding(
        self, request: pb.CompleteFundingRequest, context: grpc.aio.ServicerContext
    ) -> pb.FundingResult:
        command = CompleteFunding(_me())
        return funding_message(await asyncio.to_thread(complete_funding, self.ledger, command))

    async def DisableSubscription(
        self, request: pb.DisableSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Wallet:
        command = DisableSubscription(_me())
        return wallet_message(await asyncio.to_thread(disable_subscription, self.ledger, command))

    async def GetWallet(
        self, request: pb.GetWalletRequest, context: grpc.aio.ServicerContext
    ) -> pb.Wallet:
        account_id = own_or_named_account(current_principal(), request.account_id)
        return wallet_message(await asyncio.to_thread(require_wallet, self.ledger, account_id))

    async def Charge(
        self, request: pb.ChargeRequest, context: grpc.aio.ServicerContext
    ) -> pb.WalletCharge:
        command = ChargeWallet(
            parse_id(request.account_id, "account_id"),
            request.facility_id,
            charge_items(request),
            request.reference,
            answer_by=_deadline(self.ledger, context),
        )
        # A refusal about an item names `items` when the request listed them.
        item_fields = dict.fromkeys(_ITEM_CODES, "items") if request.items else {}
        with request_fields(REQUEST_FIELDS, **item_fields):
            charge = await asyncio.to_thread(charge_wallet, self.ledger, command)
        return charge_message(charge)

    async def GetCharge(
        self, request: pb.GetChargeRequest, context: grpc.aio.ServicerContext
    ) -> pb.WalletCharge:
        account_id = parse_id(request.account_id, "account_id")
        with request_fields(REQUEST_FIELDS):
            charge = await asyncio.to_thread(get_charge, self.ledger, account_id, request.reference)
        return charge_message(charge)

    async def RefundCharge(
        self, request: pb.RefundChargeRequest, context: grpc.aio.ServicerContext
    ) -> pb.WalletCharge:
        command = RefundCharge(
            parse_id(request.account_id, "account_id"), request.reference, request.reason
        )
        with request_fields(REQUEST_FIELDS):
            charge = await asyncio.to_thread(refund_charge, self.ledger, command)
        return charge_message(charge)

    async def GrantCredit(
        self, request: pb.GrantCreditRequest, context: grpc.aio.ServicerContext
    ) -> pb.Wallet:
        command = GrantCredit(
            parse_id(request.account_id, "account_id"),
            request.facility_id,
            request.kind,
            Cents(request.amount_cents),
            request.reason,
            request.reference,
            issued_by=current_principal().account_id,
        )
        with request_fields(REQUEST_FIELDS):
            wallet = await asyncio.to_thread(grant_credit, self.ledger, command)
        return wallet_message(wallet)
