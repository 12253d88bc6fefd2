"""ListResidents and ListStaffAccounts over gRPC: in order, page by page with no row repeated
or missed, only for the staff who may see them."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from uuid import uuid4

import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub as Stub
from kinlink_kit.auth import Role
from kinlink_kit.testing import refused_over_grpc

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.identity_grpc import INVALID_ARGUMENT
from tests.identity_grpc import NOT_FOUND
from tests.identity_grpc import PASSWORD
from tests.identity_grpc import PERMISSION_DENIED
from tests.identity_grpc import configure
from tests.identity_grpc import registration
from tests.identity_grpc import staff

IN_CUSTODY = pb.RESIDENT_STATUS_IN_CUSTODY
RELEASED = pb.RESIDENT_STATUS_RELEASED
# (resident id, first name, last name), booked in no particular order: the roll sorts them by
# last name whatever its case, then first name, then id.
ROLL = [
    ("R-5", "Ada", "lovelace"),
    ("R-1", "Mary", "Shelley"),
    ("R-3", "Ada", "Lovelace"),
    ("R-2", "Ada", "Byron"),
    ("R-7", "Percy", "Shelley"),
    ("R-4", "Charles", "Babbage"),
    ("R-6", "Zoe", "Lovelace"),
]
IN_ORDER = ["R-4", "R-2", "R-3", "R-5", "R-6", "R-1", "R-7"]


async def book(
    stub: Stub, token_keys: TokenKeys, facility_id: str, resident: tuple[str, ...]
) -> None:
    resident_id, first_name, last_name = resident
    request = pb.BookResidentRequest(
        facility_id=facility_id, resident_id=resident_id, first_name=first_name, last_name=last_name
    )
    await stub.BookResident(request, metadata=staff(token_keys, Role.OPERATOR))


async def every_page(
    ask: Callable[[str], Awaitable[tuple[list[str], str]]], token: str = ""
) -> list[list[str]]:
    """Each page's rows from the one `token` resumes at, following the next page tokens to the
    last page."""
    pages = []
    while True:
        rows, token = await ask(token)
        pages.append(rows)
        if not token:
            return pages


def roll_of(
    stub: Stub, caller: Metadata, page_size: int, **filters: object
) -> Callable[[str], Awaitable[tuple[list[str], str]]]:
    async def ask(token: str) -> tuple[list[str], str]:
        request = pb.ListResidentsRequest(page_size=page_size, page_token=token, **filters)
        page = await stub.ListResidents(request, metadata=caller)
        return [r.resident_id for r in page.residents], page.next_page_token

    return ask


@pytest.fixture
async def facilities(stub: Stub, token_keys: TokenKeys) -> Stub:
    """FAC-A holding the roll above, FAC-B one resident of its own."""
    await configure(stub, token_keys, "FAC-A")
    await configure(stub, token_keys, "FAC-B")
    for resident in ROLL:
        await book(stub, token_keys, "FAC-A", resident)
    await book(stub, token_keys, "FAC-B", ("R-9", "Ada", "Aaron"))
    return stub


async def test_an_officer_pages_through_their_facility_in_name_order(
    facilities: Stub, token_keys: TokenKeys
) -> None:
    officer = staff(token_keys, Role.FACILITY_OFFICER, facilities=("FAC-A",))
    pages = await every_page(roll_of(facilities, officer, 3, facility_id="FAC-A"))
    assert pages == [IN_ORDER[:3], IN_ORDER[3:6], IN_ORDER[6:]]
    # A page size that divides the roll exactly ends without an empty page after it.
    assert await every_page(roll_of(facilities, officer, 7, facility_id="FAC-A")) == [IN_ORDER]


async def test_residents_booked_or_released_between_pages_are_neither_repeated_nor_missed(
    facilities: Stub, token_keys: TokenKeys
) -> None:
    operator = staff(token_keys, Role.OPERATOR)
    ask = roll_of(facilities, operator, 3, facility_id="FAC-A", status=IN_CUSTODY)
    first, token = await ask("")
    assert first == IN_ORDER[:3]
    # Booked before the page already read (not shown), after it (shown next), one released.
    await book(facilities, token_keys, "FAC-A", ("R-0", "Ann", "Aaron"))
    await book(facilities, token_keys, "FAC-A", ("R-8", "Ann", "Young"))
    await facilities.ReleaseResident(
        pb.ReleaseResidentRequest(facility_id="FAC-A", resident_id="R-6"), metadata=operator
    )
    rest = await every_page(ask, token)
    shown = first + [resident for page in rest for resident in page]
    assert shown == ["R-4", "R-2", "R-3", "R-5", "R-1", "R-7", "R-8"]


async def test_the_status_filter_keeps_only_residents_of_that_status(
    facilities: Stub, token_keys: TokenKeys
) -> None:
    operator = staff(token_keys, Role.OPERATOR)
    await facilities.ReleaseResident(
        pb.ReleaseResidentRequest(facility_id="FAC-A", resident_id="R-2"), metadata=operator
    )
    released = await facilities.ListResidents(
        pb.ListResidentsRequest(facility_id="FAC-A", status=RELEASED, page_size=10),
        metadata=operator,
    )
    assert [(r.resident_id, r.status) for r in released.residents] == [("R-2", RELEASED)]
    everyone = await facilities.ListResidents(
        pb.ListResidentsRequest(facility_id="FAC-A", page_size=10), metadata=operator
    )
    assert [r.resident_id for r in everyone.residents] == IN_ORDER
    assert everyone.residents[0].facility_name == "Springfield County Jail"


async def test_only_staff_acting_for_the_facility_see_its_roll(
    facilities: Stub, token_keys: TokenKeys
) -> None:
    request = pb.ListResidentsRequest(facility_id="FAC-A", page_size=10)
    other_officer = staff(token_keys, Role.FACILITY_OFFICER, facilities=("FAC-B",))
    await refused_over_grpc(
        facilities.ListResidents(request, metadata=other_officer),
        PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    for outsider in (
        token_keys.family(str(uuid4())),
        staff(token_keys, Role.FACILITY_INTEGRATION, ("FAC-A",)),
    ):
        await refused_over_grpc(
            facilities.ListResidents(request, metadata=outsider),
            PERMISSION_DENIED,
            "role_not_allowed",
        )
    auditor = staff(token_keys, Role.AUDITOR)
    listed = await facilities.ListResidents(request, metadata=auditor)
    assert [r.resident_id for r in listed.residents] == IN_ORDER


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"page_size": 0}, "page_size_invalid", "page_size"),
        ({"page_size": 201}, "page_size_invalid", "page_size"),
        ({"page_token": "not a token"}, "page_token_invalid", "page_token"),
        # A staff list's token is not a roll's.
        ({"page_token": "WzNd"}, "page_token_invalid", "page_token"),
        ({"status": 42}, "status_invalid", "status"),
        ({"facility_id": ""}, "facility_id_missing", "facility_id"),
    ],
)
async def test_bad_roll_requests_are_refused_naming_the_field(
    facilities: Stub, token_keys: TokenKeys, changes: dict[str, object], reason: str, field: str
) -> None:
    request = pb.ListResidentsRequest(**{"facility_id": "FAC-A", "page_size": 10, **changes})
    await refused_over_grpc(
        facilities.ListResidents(request, metadata=staff(token_keys, Role.OPERATOR)),
        INVALID_ARGUMENT,
        reason,
        field,
    )


async def test_the_roll_of_an_unknown_facility_is_refused(
    stub: Stub, token_keys: TokenKeys
) -> None:
    request = pb.ListResidentsRequest(facility_id="FAC-NOWHERE", page_size=10)
    await refused_over_grpc(
        stub.ListResidents(request, metadata=staff(token_keys, Role.OPERATOR)),
        NOT_FOUND,
        "facility_not_found",
        "facility_id",
    )


# --- staff accounts -----------------------------------------------------------------------------


async def open_staff_account(stub: Stub, token_keys: TokenKeys, name: str, role: Role) -> str:
    request = pb.CreateStaffAccountRequest(
        email=f"{name.lower()}@example.com",
        password=PASSWORD,
        first_name=name,
        last_name="Staff",
        roles=[role.value],
        facility_ids=["FAC-A"] if role is Role.FACILITY_OFFICER else [],
    )
    account = await stub.CreateStaffAccount(request, metadata=staff(token_keys, Role.OPERATOR))
    return account.account_id


async def test_operators_page_through_staff_accounts_oldest_first(
    stub: Stub, token_keys: TokenKeys
) -> None:
    await configure(stub, token_keys, "FAC-A")
    opened = [await open_staff_account(stub, token_keys, "Olive", Role.FACILITY_OFFICER)]
    await stub.Register(registration())  # a family member: never listed
    for name, role in (("Otto", Role.OPERATOR), ("Audrey", Role.AUDITOR)):
        opened.append(await open_staff_account(stub, token_keys, name, role))
    await stub.CloseStaffAccount(
        pb.CloseStaffAccountRequest(account_id=opened[0]), metadata=staff(token_keys, Role.OPERATOR)
    )
    operator = staff(token_keys, Role.OPERATOR)
    listed: list[pb.Account] = []

    async def ask(token: str) -> tuple[list[str], str]:
        request = pb.ListStaffAccountsRequest(page_size=2, page_token=token)
        page = await stub.ListStaffAccounts(request, metadata=operator)
        listed.extend(page.accounts)
        return [a.account_id for a in page.accounts], page.next_page_token

    assert await every_page(ask) == [opened[:2], opened[2:]]
    assert [(a.email, list(a.roles), list(a.facility_ids), a.status) for a in listed] == [
        ("olive@example.com", ["facility_officer"], ["FAC-A"], pb.ACCOUNT_STATUS_CLOSED),
        ("otto@example.com", ["operator"], [], pb.ACCOUNT_STATUS_ACTIVE),
        ("audrey@example.com", ["auditor"], [], pb.ACCOUNT_STATUS_ACTIVE),
    ]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FACILITY_OFFICER, Role.FAMILY_MEMBER])
async def test_only_operators_list_staff_accounts(
    stub: Stub, token_keys: TokenKeys, role: Role
) -> None:
    request = pb.ListStaffAccountsRequest(page_size=10)
    await refused_over_grpc(
        stub.ListStaffAccounts(request, metadata=staff(token_keys, role, ("FAC-A",))),
        PERMISSION_DENIED,
        "role_not_allowed",
    )


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"page_size": -1}, "page_size_invalid", "page_size"),
        ({"page_token": "WyJhIiwgImIiLCAiYyJd"}, "page_token_invalid", "page_token"),
    ],
)
async def test_bad_staff_list_requests_are_refused_naming_the_field(
    stub: Stub, token_keys: TokenKeys, changes: dict[str, object], reason: str, field: str
) -> None:
    request = pb.ListStaffAccountsRequest(**{"page_size": 10, **changes})
    await refused_over_grpc(
        stub.ListStaffAccounts(request, metadata=staff(token_keys, Role.OPERATOR)),
        INVALID_ARGUMENT,
        reason,
        field,
    )
