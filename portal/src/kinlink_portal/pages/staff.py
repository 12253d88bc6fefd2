"""Staff accounts, for operators: an account for an officer, operator, auditor or a facility's
integration, and the list of staff accounts, each closed by its own button when its holder
leaves."""

from __future__ import annotations

from urllib.parse import urlencode

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.console import is_operator
from kinlink_portal.pages.facility_form import translated
from kinlink_portal.pages.form_pages import answered
from kinlink_portal.pages.form_pages import facility_options
from kinlink_portal.pages.form_pages import form_page
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.sessions import require_staff

NEW_ACCOUNT = ("email", "password", "first_name", "last_name", "roles", "facility_ids")
REQUIRED = {
    "email": "staff_email_missing",
    "password": "staff_password_missing",
    "first_name": "staff_first_name_missing",
    "last_name": "staff_last_name_missing",
}
ROLES = (
    ("facility_officer", N_("Facility officer: books, transfers and releases residents")),
    ("operator", N_("Operator: runs Kinlink for every facility")),
    ("auditor", N_("Auditor: reads everything, changes nothing")),
    ("facility_integration", N_("Facility integration: the facility's own system")),
)
# A role's short name, in the list of accounts.
ROLE_NAMES = {
    "facility_officer": N_("Facility officer"),
    "operator": N_("Operator"),
    "auditor": N_("Auditor"),
    "facility_integration": N_("Facility integration"),
    "platform_service": N_("Kinlink service"),
}
CLOSE = ("account_id",)
# Accounts listed a page.
ACCOUNTS_PAGE_SIZE = 50


def require_operator(request: Request) -> None:
    require_staff(request)
    if not is_operator(request):
        raise Refusal("role_not_allowed")


async def new_staff_account(request: Request) -> Response:
    require_operator(request)
    roles: list[str] = []
    facility_ids: list[str] = []
    form = Form(NEW_ACCOUNT)
    if request.method == "POST":
        data = await request.form()
        form = await submitted(request, NEW_ACCOUNT)
        roles = [str(role) for role in data.getlist("roles")]
        facility_ids = [str(facility_id) for facility_id in data.getlist("facility_ids")]
        if not form.missing(REQUIRED):
            values = {name: form.values[name] for name in REQUIRED}
            new = pb.CreateStaffAccountRequest(**values, roles=roles, facility_ids=facility_ids)
            account = await answered(request, form, "CreateStaffAccount", new)
            if account is not None:
                created = {"created": account.account_id, "email": account.email}
                return see_other(f"/console/staff?{urlencode(created)}")
    return form_page(
        request,
        "staff_new.html",
        form,
        roles=roles,
        facility_ids=facility_ids,
        role_options=translated(ROLES),
        facilities=await facility_options(request),
        created=request.query_params.get("created", ""),
        created_email=request.query_params.get("email", ""),
        closed=request.query_params.get("notice") == "closed",
    )


async def staff_accounts(request: Request) -> Response:
    """The staff accounts, oldest first, a page at a time; a POST closes the one it names."""
    require_operator(request)
    form = Form(())
    if request.method == "POST":
        closing = await submitted(request, CLOSE)
        leaving = pb.CloseStaffAccountRequest(account_id=closing.values["account_id"])
        if await answered(request, form, "CloseStaffAccount", leaving) is not None:
            return with_notice("/console/staff", "closed")
    page = request.query_params.get("page", "")
    listed = await call_signed_in(
        request,
        services(request).identity.ListStaffAccounts,
        pb.ListStaffAccountsRequest(page_size=ACCOUNTS_PAGE_SIZE, page_token=page),
    )
    return form_page(
        request,
        "staff_accounts.html",
        form,
        accounts=listed.accounts,
        next_page_token=listed.next_page_token,
        first_page=bool(page),
        closed_status=pb.ACCOUNT_STATUS_CLOSED,
        role_names=dict(translated(tuple(ROLE_NAMES.items()))),
    )


routes = [
    Route("/console/staff", new_staff_account, methods=["GET", "POST"]),
    Route("/console/staff/close", staff_accounts, methods=["GET", "POST"]),
]
