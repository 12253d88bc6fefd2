"""The account RPCs of kinlink.identity.v1.IdentityService: requests to use cases, accounts and
sessions to messages."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.auth import ANY_ROLE
from kinlink_kit.auth import PUBLIC
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import request_fields

from kinlink_identity.entrypoints.messages import REQUEST_FIELDS
from kinlink_identity.entrypoints.messages import account_message
from kinlink_identity.entrypoints.messages import address_of
from kinlink_identity.entrypoints.messages import method
from kinlink_identity.entrypoints.messages import timestamp
from kinlink_identity.service_layer.activate import activate
from kinlink_identity.service_layer.activate import resend_activation
from kinlink_identity.service_layer.change_email import RequestEmailChange
from kinlink_identity.service_layer.change_email import confirm_email_change
from kinlink_identity.service_layer.change_email import request_email_change
from kinlink_identity.service_layer.close_account import CloseAccount
from kinlink_identity.service_layer.close_account import close_account
from kinlink_identity.service_layer.close_account import close_staff_account
from kinlink_identity.service_layer.create_staff_account import CreateStaffAccount
from kinlink_identity.service_layer.create_staff_account import create_staff_account
from kinlink_identity.service_layer.edit_account import EditAccount
from kinlink_identity.service_layer.edit_account import edit_account
from kinlink_identity.service_layer.get_account import get_account
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.list_staff_accounts import ListStaffAccounts
from kinlink_identity.service_layer.list_staff_accounts import list_staff_accounts
from kinlink_identity.service_layer.log_in import LogIn
from kinlink_identity.service_layer.log_in import Session
from kinlink_identity.service_layer.log_in import log_in
from kinlink_identity.service_layer.log_in import refresh_session
from kinlink_identity.service_layer.reactivate import reactivate
from kinlink_identity.service_layer.reactivate import request_reactivation
from kinlink_identity.service_layer.register import Register
from kinlink_identity.service_layer.register import register
from kinlink_identity.service_layer.reset_password import ResetPassword
from kinlink_identity.service_layer.reset_password import request_password_reset
from kinlink_identity.service_layer.reset_password import reset_password
from kinlink_identity.service_layer.set_email_subscription import set_email_subscription

# Signing up, signing in and following emailed links come before any token; the token in a link
# is the proof there.
_PUBLIC = (
    "Register",
    "ResendActivation",
    "Activate",
    "LogIn",
    "RefreshSession",
    "RequestPasswordReset",
    "ResetPassword",
    "ConfirmEmailChange",
    "RequestReactivation",
    "Reactivate",
)
# Every signed-in account, staff included, looks after its own.
_OWN_ACCOUNT = (
    "GetAccount",
    "EditAccount",
    "RequestEmailChange",
    "SetEmailSubscription",
    "CloseAccount",
)
ACCOUNTS_POLICY: dict[str, frozenset[Role]] = {
    **{method(name): PUBLIC for name in _PUBLIC},
    **{method(name): ANY_ROLE for name in _OWN_ACCOUNT},
    method("CreateStaffAccount"): frozenset({Role.OPERATOR}),
    method("CloseStaffAccount"): frozenset({Role.OPERATOR}),
    method("ListStaffAccounts"): frozenset({Role.OPERATOR}),
}

_NEW_EMAIL_FIELDS = dict.fromkeys(("email_invalid", "email_taken", "email_unchanged"), "new_email")
_STAFF_FIELDS = {
    **dict.fromkeys(("roles_missing", "role_unknown", "role_not_staff"), "roles"),
    **dict.fromkeys(
        ("facility_required", "facility_not_applicable", "facility_not_found"), "facility_ids"
    ),
}


def client_address(context: grpc.aio.ServicerContext, trust_forwarded_for: bool = False) -> str:
    """The caller's network address, for throttling failed attempts: the peer of the connection
    without its port (which changes with every connection); or, behind the one proxy trusted to
    set or append to it, the last entry of X-Forwarded-For: the address that proxy saw. Entries
    before it are whatever the client sent, and a client can write anything there."""
    forwarded = ",".join(
        str(value) for key, value in context.invocation_metadata() or () if key == "x-forwarded-for"
    )
    last_entry = forwarded.rpartition(",")[2].strip()
    if last_entry and trust_forwarded_for:
        return last_entry
    peer = unquote(context.peer() or "")
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        return rest.rsplit(":", 1)[0].strip("[]")
    return peer


def session_message(session: Session) -> pb.Session:
    return pb.Session(
        access_token=session.access_token,
        access_token_expires_at=timestamp(session.access_token_expires_at),
        refresh_token=session.refresh_token,
        refresh_token_expires_at=timestamp(session.refresh_token_expires_at),
        account=account_message(session.account),
    )


class AccountsApi:
    identity: Identity

    async def Register(
        self, request: pb.RegisterRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        command = Register(
            email=request.email,
            password=request.password,
            first_name=request.first_name,
            last_name=request.last_name,
            address=address_of(request.address),
            phone=request.phone,
            time_zone=request.time_zone,
            facility_id=request.facility_id.strip(),
        )
        with request_fields(REQUEST_FIELDS):
            account = await asyncio.to_thread(register, self.identity, command)
        return account_message(account)

    async def ResendActivation(
        self, request: pb.EmailRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        with request_fields(REQUEST_FIELDS):
            await asyncio.to_thread(resend_activation, self.identity, request.email)
        return pb.Accepted()

    async def Activate(
        self, request: pb.TokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        with request_fields(REQUEST_FIELDS):
            account = await asyncio.to_thread(activate, self.identity, request.token)
        return account_message(account)

    async def LogIn(
        self, request: pb.LogInRequest, context: grpc.aio.ServicerContext
    ) -> pb.Session:
        command = LogIn(
            request.email,
            request.password,
            client_address(context, self.identity.policy.trust_forwarded_for),
        )
        with request_fields(REQUEST_FIELDS):
            session = await asyncio.to_thread(log_in, self.identity, command)
        return session_message(session)

    async def RefreshSession(
        self, request: pb.RefreshSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Session:
        session = await asyncio.to_thread(refresh_session, self.identity, request.refresh_token)
        return session_message(session)

    async def RequestPasswordReset(
        self, request: pb.EmailRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        with request_fields(REQUEST_FIELDS):
            await asyncio.to_thread(request_password_reset, self.identity, request.email)
        return pb.Accepted()

    async def ResetPassword(
        self, request: pb.ResetPasswordRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        command = ResetPassword(request.token, request.new_password)
        with request_fields(REQUEST_FIELDS, password_too_weak="new_password"):
            await asyncio.to_thread(reset_password, self.identity, command)
        return pb.Accepted()

    async def GetAccount(
        self, request: pb.GetAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        with request_fields(account_not_found="account_id", account_out_of_scope="account_id"):
            account = await asyncio.to_thread(
                get_account, self.identity, current_principal(), request.account_id.strip()
            )
        return account_message(account)

    async def EditAccount(
        self, request: pb.EditAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        command = EditAccount(
            account_id=current_principal().account_id,
            fields=list(request.fields),
            first_name=request.first_name,
            last_name=request.last_name,
            address=address_of(request.address),
            phone=request.phone,
            time_zone=request.time_zone,
        )
        with request_fields(REQUEST_FIELDS, fields_missing="fields", field_not_editable="fields"):
            account = await asyncio.to_thread(edit_account, self.identity, command)
        return account_message(account)

    async def RequestEmailChange(
        self, request: pb.RequestEmailChangeRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        command = RequestEmailChange(
            current_principal().account_id,
            request.new_email,
            request.password,
            client_address(context, self.identity.policy.trust_forwarded_for),
        )
        with request_fields(REQUEST_FIELDS, _NEW_EMAIL_FIELDS):
            await asyncio.to_thread(request_email_change, self.identity, command)
        return pb.Accepted()

    async def ConfirmEmailChange(
        self, request: pb.TokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        # The address was free when the link was sent: now the link is what failed.
        with request_fields(REQUEST_FIELDS, email_taken="token"):
            account = await asyncio.to_thread(confirm_email_change, self.identity, request.token)
        return account_message(account)

    async def SetEmailSubscription(
        self, request: pb.SetEmailSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        account = await asyncio.to_thread(
            set_email_subscription,
            self.identity,
            current_principal().account_id,
            request.subscribed,
        )
        return account_message(account)

    async def CloseAccount(
        self, request: pb.CloseAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        command = CloseAccount(
            current_principal().account_id,
            request.password,
            client_address(context, self.identity.policy.trust_forwarded_for),
        )
        with request_fields(REQUEST_FIELDS):
            account = await asyncio.to_thread(close_account, self.identity, command)
        return account_message(account)

    async def RequestReactivation(
        self, request: pb.EmailRequest, context: grpc.aio.ServicerContext
    ) -> pb.Accepted:
        with request_fields(REQUEST_FIELDS):
            await asyncio.to_thread(request_reactivation, self.identity, request.email)
        return pb.Accepted()

    async def Reactivate(
        self, request: pb.TokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        with request_fields(REQUEST_FIELDS):
            account = await asyncio.to_thread(reactivate, self.identity, request.token)
        return account_message(account)

    async def CreateStaffAccount(
        self, request: pb.CreateStaffAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        command = CreateStaffAccount(
            email=request.email,
            password=request.password,
            first_name=request.first_name,
            last_name=request.last_name,
            roles=list(request.roles),
            facility_ids=list(request.facility_ids),
        )
        with request_fields(REQUEST_FIELDS, _STAFF_FIELDS):
            account = await asyncio.to_thread(create_staff_account, self.identity, command)
        return account_message(account)

    async def CloseStaffAccount(
        self, request: pb.CloseStaffAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.Account:
        with request_fields(account_not_found="account_id", not_a_staff_account="account_id"):
            account = await asyncio.to_thread(
                close_staff_account, self.identity, request.account_id
            )
        return account_message(account)

    async def ListStaffAccounts(
        self, request: pb.ListStaffAccountsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListStaffAccountsResponse:
        command = ListStaffAccounts(request.page_size, request.page_token)
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(list_staff_accounts, self.identity, command)
        return pb.ListStaffAccountsResponse(
            accounts=[account_message(account) for account in page.rows],
            next_page_token=page.next_page_token,
        )
