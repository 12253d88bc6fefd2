"""Verifying a family member's identity where their facility requires it before activation: the
activation link leads here when identity answers `id_verification_required`; the documents go
with the link's token, and once verified the account is active. The SSN is never shown back."""

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
from kinlink_portal.pages.form_pages import form_page
from kinlink_portal.pages.my_account import ADDRESS
from kinlink_portal.pages.my_account import ADDRESS_FIELDS
from kinlink_portal.pages.my_account import DETAILS_REQUIRED
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services

PATH = "/verify-identity"
DOCUMENTS = ("legal_first_name", "legal_last_name", "date_of_birth", *ADDRESS, "ssn")
TOKEN = "activation_token"
REQUIRED = {
    "legal_first_name": "legal_first_name_missing",
    "legal_last_name": "legal_last_name_missing",
    "date_of_birth": "date_of_birth_missing",
    **{name: code for name, code in DETAILS_REQUIRED.items() if name.startswith("address.")},
    "ssn": "ssn_missing",
}


def verification_needed(request: Request, token: str) -> Response:
    """Where the activation link goes when the facility verifies identities first."""
    return see_other(f"{PATH}?{urlencode({'token': token})}")


async def verify_identity(request: Request) -> Response:
    if request.method == "GET":
        token = request.query_params.get("token", "")
        form = Form(DOCUMENTS, {TOKEN: token, "address.country": "US"})
    else:
        form = await submitted(request, DOCUMENTS, hidden=(TOKEN,))
        if not form.missing(REQUIRED):
            documents = pb.SubmitIdVerificationRequest(
                legal_first_name=form.values["legal_first_name"],
                legal_last_name=form.values["legal_last_name"],
                date_of_birth=form.values["date_of_birth"],
                address=pb.PostalAddress(
                    **{name: form.values[f"address.{name}"] for name in ADDRESS_FIELDS}
                ),
                ssn=form.values["ssn"],
                activation_token=form.values[TOKEN],
            )
            try:
                await call(request, services(request).identity.SubmitIdVerification, documents)
            except Refusal as refusal:
                form.refused(refusal)
            else:
                return with_notice("/log-in", "activated")
    return form_page(request, "verify_identity.html", form, token=form.values.get(TOKEN, ""))


routes = [Route(PATH, verify_identity, methods=["GET", "POST"])]
