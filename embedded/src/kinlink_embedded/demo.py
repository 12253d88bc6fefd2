"""The demo the embedded mode starts with, made through the identity service as anyone would:
the first operator (from the settings) configures the demo facilities and books their residents;
a demo family member registers, follows the activation link from the mail folder and adds the
card the README's deposits use (`pm_card_visa`): the ledger charges only cards added in identity.

Every step is idempotent, so a restart on the same data folder changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import grpc
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import DEMO_RESIDENTS
from kinlink_contracts.facility_settings_message import settings_message

OPERATOR_EMAIL = "operator@kinlink.example"
OPERATOR_PASSWORD = "operator-demo-password"
FAMILY_EMAIL = "family@kinlink.example"
FAMILY_PASSWORD = "family-demo-password"


async def seed(address: str, mail_folder: Path) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        session = await identity.LogIn(
            pb.LogInRequest(email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
        )
        operator = (("authorization", f"Bearer {session.access_token}"),)
        await seed_facilities(identity, operator)
        await _demo_family(identity, mail_folder)


async def seed_facilities(
    identity: identity_pb2_grpc.IdentityServiceStub, operator: Sequence[tuple[str, str]]
) -> None:
    """The demo facilities and their residents, configured and booked by an operator."""
    for facility_id, settings in DEMO_FACILITIES.items():
        await identity.ConfigureFacility(
            pb.ConfigureFacilityRequest(
                facility_id=facility_id, settings=settings_message(settings)
            ),
            metadata=operator,
        )
    for resident in DEMO_RESIDENTS:
        await _unless_exists(
            identity.BookResident(pb.BookResidentRequest(**resident._asdict()), metadata=operator)
        )


async def _demo_family(identity: identity_pb2_grpc.IdentityServiceStub, mail_folder: Path) -> None:
    home = pb.PostalAddress(
        line1="1 Main St", city="Springfield", region="IL", postal_code="62701", country="US"
    )
    registered = await _unless_exists(
        identity.Register(
            pb.RegisterRequest(
                email=FAMILY_EMAIL,
                password=FAMILY_PASSWORD,
                first_name="Demo",
                last_name="Family",
                address=home,
                phone="+12175550100",
                time_zone="America/Chicago",
            )
        )
    )
    if registered is not None:
        await identity.Activate(pb.TokenRequest(token=_latest_token(mail_folder, FAMILY_EMAIL)))
        session = await identity.LogIn(
            pb.LogInRequest(email=FAMILY_EMAIL, password=FAMILY_PASSWORD)
        )
        await identity.AddCard(
            pb.AddCardRequest(payment_method="pm_card_visa", billing_address=home),
            metadata=(("authorization", f"Bearer {session.access_token}"),),
        )


async def _unless_exists(call: grpc.aio.UnaryUnaryCall) -> object | None:  # type: ignore[type-arg]
    """The call's answer, or None when what it would create is there already."""
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        if error.code() is grpc.StatusCode.ALREADY_EXISTS:
            return None
        raise


def _latest_token(mail_folder: Path, to: str) -> str:
    for path in sorted(mail_folder.glob("*.eml"), reverse=True):
        text = path.read_text()
        if f"To: {to}" in text and (match := re.search(r"token=([A-Za-z0-9_\-]+)", text)):
            return match.group(1)
    raise RuntimeError(f"no activation email to {to} in {mail_folder}")
