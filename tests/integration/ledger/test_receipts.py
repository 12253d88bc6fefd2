"""Receipts of captured payments (requirements "How Do I Make A Deposit": a receipt screen to
print): what they show, who may see them, and the printable document; on SQLite and on the real
PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_kit.testing import refused_over_grpc
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.receipt import Receipt
from kinlink_ledger.domain.receipt import ReceiptHold
from kinlink_ledger.domain.receipt import ReceiptKind
from kinlink_ledger.domain.receipt import ReceiptLine
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.end_allowance import end_allowance
from kinlink_ledger.service_layer.get_allowance import get_allowance
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.receipts import get_receipt
from kinlink_ledger.service_layer.receipts import print_receipt
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.integration.ledger.test_allowances import RESIDENT
from tests.integration.ledger.test_allowances import orders
from tests.integration.ledger.test_allowances import request
from tests.integration.ledger.test_deposits import deposit
from tests.integration.ledger.test_deposits import family
from tests.integration.ledger.test_deposits import officer
from tests.ledger_facilities import MOTHER
from tests.ledger_facilities import add_cards
from tests.ledger_facilities import choose_card
from tests.ledger_facilities import configure
from tests.ledger_grpc import make_deposit

OPERATOR = Principal("op-1", frozenset({Role.OPERATOR}))
AUDITOR = Principal("aud-1", frozenset({Role.AUDITOR}))


def funding_receipt_number(ledger: Ledger, account: UUID, card: str = "pm_card_visa") -> str:
    choose_card(ledger, account, card)
    funded = set_up_subscription(ledger, SetUpSubscription(account, FAC_DEMO, Cents(2000)))
    return MessagingWallet.receipt_number_of(funded.funding_id)


def ended_allowance(ledger: Ledger, account: UUID, amount: int, *used: int) -> CommissaryAllowance:
    """An allowance of `amount` held on the account's card, orders of `used` paid from it, and
    ended: what they used captured, the rest released."""
    add_cards(ledger, str(account), "pm_card_visa")
    allowance_id = authorize_allowance(ledger, request(amount, account_id=account)).allowance_id
    orders(ledger, allowance_id, *used)
    return end_allowance(ledger, allowance_id)


def allowance_receipt_number(ledger: Ledger, account: UUID) -> str:
    number = ended_allowance(ledger, account, 5000, 1200, 1800).receipt_number
    assert number is not None
    return number


def test_a_deposit_receipt_shows_the_amount_the_fee_and_the_total(
    ledger: Ledger, clock: Clock
) -> None:
    made = deposit(ledger, 5000, depositor=MOTHER, resident="R-7")
    receipt = get_receipt(ledger, made.receipt_number, family(MOTHER))
    assert receipt == Receipt(
        receipt_number=made.receipt_number,
        kind=ReceiptKind.DEPOSIT,
        account_id=MOTHER,
        facility_id=FAC_DEMO,
        facility_name="Demo County Jail",
        resident_id="R-7",
        lines=(
            ReceiptLine("Deposit to the resident's account", Cents(5000)),
            ReceiptLine("Processing fee", Cents(595)),
        ),
        payment_reference=made.payment_reference or "",
        captured_at=clock.now,
    )
    assert receipt.total == 5595
    # Read out on the phone, typed in any case.
    assert get_receipt(ledger, f" {made.receipt_number.lower()} ", family(MOTHER)) == receipt


def test_a_wallet_funding_has_a_receipt_of_its_own(ledger: Ledger) -> None:
    account = uuid4()
    number = funding_receipt_number(ledger, account)
    receipt = get_receipt(ledger, number, family(str(account)))
    assert (receipt.kind, receipt.account_id, receipt.facility_id, receipt.resident_id) == (
        ReceiptKind.WALLET_FUNDING,
        str(account),
        FAC_DEMO,
        "",
    )
    assert receipt.lines == (ReceiptLine("Messaging subscription funding", Cents(2000)),)
    assert receipt.total == 2000
    assert receipt.payment_reference
    assert number.startswith("KL-") and number != deposit(ledger, 1000).receipt_number


def test_a_payment_never_captured_has_no_receipt(ledger: Ledger) -> None:
    declined = deposit(ledger, 5000, "pm_card_chargeDeclined", depositor=MOTHER)
    failed = funding_receipt_number(ledger, account := uuid4(), "pm_card_chargeDeclined")
    for number, payer in ((declined.receipt_number, MOTHER), (failed, str(account))):
        with refused(NotFound, "receipt_not_found", None):
            get_receipt(ledger, number, family(payer))


def test_an_allowances_capture_has_a_receipt_of_what_the_orders_used_beside_its_hold(
    ledger: Ledger, clock: Clock
) -> None:
    account = uuid4()
    ended = ended_allowance(ledger, account, 5000, 1200, 1800)
    assert ended.receipt_number is not None
    receipt = get_receipt(ledger, ended.receipt_number, family(str(account)))
    assert receipt == Receipt(
        receipt_number=ended.receipt_number,
        kind=ReceiptKind.ALLOWANCE_CAPTURE,
        account_id=str(account),
        facility_id=FAC_DEMO,
        facility_name="Demo County Jail",
        resident_id=RESIDENT,
        lines=(ReceiptLine("Commissary orders paid from the allowance", Cents(3000)),),
        payment_reference=ended.payment_reference or "",
        captured_at=clock.now,
        hold=ReceiptHold(authorized=Cents(5000), released=Cents(2000)),
    )
    assert receipt.total == ended.captured == 3000, "only what was used is charged"
    # The family finds the receipt from the allowance.
    shown = get_allowance(ledger, str(ended.allowance_id), family(str(account)))
    assert shown.receipt_number == ended.receipt_number
    everything = ended_allowance(ledger, account, 2000, 2500).receipt_number
    assert everything is not None
    assert get_receipt(ledger, everything, OPERATOR).hold == ReceiptHold(Cents(2000), Cents(0))


def test_an_allowance_nothing_was_used_of_or_not_ended_has_no_receipt(ledger: Ledger) -> None:
    account = uuid4()
    released = ended_allowance(ledger, account, 5000)
    assert (released.captured, released.released, released.receipt_number) == (0, 5000, None)
    open_ = authorize_allowance(ledger, request(5000, account_id=account))
    orders(ledger, open_.allowance_id, 1000)
    add_cards(ledger, str(account), "pm_card_chargeDeclined")
    declined = authorize_allowance(
        ledger, request(5000, "pm_card_chargeDeclined", account_id=account)
    )
    for allowance in (released, open_, declined):
        number = CommissaryAllowance.receipt_number_of(allowance.id)
        with refused(NotFound, "receipt_not_found", None):
            get_receipt(ledger, number, family(str(account)))


def test_payers_operators_and_their_facilitys_officers_see_an_allowances_receipt(
    ledger: Ledger,
) -> None:
    number = allowance_receipt_number(ledger, account := uuid4())
    for viewer in (family(str(account)), officer(FAC_DEMO), OPERATOR, AUDITOR):
        assert get_receipt(ledger, number, viewer).kind is ReceiptKind.ALLOWANCE_CAPTURE
    for viewer in (family("stranger"), officer("FAC-EAST")):
        with refused(NotFound, "receipt_not_found", None):
            get_receipt(ledger, number, viewer)


def test_payers_and_operators_see_a_receipt_and_officers_those_of_deposits_at_their_facilities(
    ledger: Ledger,
) -> None:
    deposit_number = deposit(ledger, 1000, depositor=MOTHER).receipt_number
    funding_number = funding_receipt_number(ledger, account := uuid4())
    for viewer in (family(MOTHER), officer(FAC_DEMO), OPERATOR, AUDITOR):
        assert get_receipt(ledger, deposit_number, viewer).kind is ReceiptKind.DEPOSIT
    for viewer in (family(str(account)), OPERATOR, AUDITOR):
        assert get_receipt(ledger, funding_number, viewer).kind is ReceiptKind.WALLET_FUNDING
    # The same answer as for a number never given: numbers tell nothing of others' payments.
    hidden = [
        (deposit_number, family("stranger")),
        (deposit_number, officer("FAC-EAST")),
        (funding_number, family(MOTHER)),
        (funding_number, officer(FAC_DEMO)),  # what a family pays for itself is its business
        ("KL-000000000000", OPERATOR),
    ]
    for number, viewer in hidden:
        with refused(NotFound, "receipt_not_found", None):
            get_receipt(ledger, number, viewer)
    with refused(InvalidArgument, "receipt_number_missing", None):
        get_receipt(ledger, " ", OPERATOR)


def test_applying_the_events_again_changes_no_receipt(ledger: Ledger) -> None:
    numbers = [
        deposit(ledger, 5000).receipt_number,
        funding_receipt_number(ledger, uuid4()),
        allowance_receipt_number(ledger, uuid4()),
    ]
    before = [get_receipt(ledger, number, OPERATOR) for number in numbers]
    ledger.views.receipts.apply_batch(ledger.store.tracking.select_notifications(1, 1000))
    assert [get_receipt(ledger, number, OPERATOR) for number in numbers] == before
    assert [len(receipt.lines) for receipt in before] == [2, 1, 1]


def test_the_printed_receipt_escapes_what_others_typed_and_shows_dollars(ledger: Ledger) -> None:
    number = deposit(ledger, 5000, depositor=MOTHER, resident="R-7").receipt_number
    # Names come from the facility's terms as they are now, as identity last sent them.
    hostile = DEMO_FACILITIES[FAC_DEMO].model_copy(
        update={"name": "<script>alert('x')</script> County & Jail"}
    )
    configure(ledger, facility_configured(FAC_DEMO, hostile, revision=2))
    html = print_receipt(ledger, number, family(MOTHER)).decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; County &amp; Jail" in html
    assert number in html and "R-7" in html
    for dollars in ("$50.00", "$5.95", "$55.95"):
        assert dollars in html
    assert "http" not in html, "a receipt prints with nothing fetched from elsewhere"


def test_a_printed_allowance_receipt_shows_the_hold_and_escapes_what_others_typed(
    ledger: Ledger,
) -> None:
    number = allowance_receipt_number(ledger, account := uuid4())
    hostile = DEMO_FACILITIES[FAC_DEMO].model_copy(update={"name": "<b>Jail</b> & Co"})
    configure(ledger, facility_configured(FAC_DEMO, hostile, revision=2))
    html = print_receipt(ledger, number, family(str(account))).decode()
    assert "<b>" not in html and "&lt;b&gt;Jail&lt;/b&gt; &amp; Co" in html
    assert "Commissary allowance receipt" in html and number in html and RESIDENT in html
    for shown in ("Allowance authorised", "$50.00", "Released, not charged", "$20.00"):
        assert shown in html
    assert html.count("$30.00") == 2, "what the orders used, and the total charged"


async def test_a_family_member_gets_and_prints_their_receipt_over_grpc(
    channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    mother = token_keys.family(MOTHER)
    made = await make_deposit(stub, mother, resident="R-7")
    request = pb.GetReceiptRequest(receipt_number=made.receipt.receipt_number)
    receipt = await stub.GetReceipt(request, metadata=mother)
    assert (receipt.kind, receipt.facility_name, receipt.resident_id) == (
        pb.RECEIPT_KIND_DEPOSIT,
        "Demo County Jail",
        "R-7",
    )
    assert [(line.description, line.amount_cents) for line in receipt.lines] == [
        ("Deposit to the resident's account", 5000),
        ("Processing fee", 595),
    ]
    assert receipt.total_cents == made.total_cents == 5595
    assert receipt.payment_reference == made.receipt.payment_reference
    assert receipt.captured_at == made.receipt.captured_at
    document = await stub.PrintReceipt(request, metadata=mother)
    assert document.content_type == "text/html"
    assert made.receipt.receipt_number in document.content.decode()


@pytest.mark.parametrize("call", ["GetReceipt", "PrintReceipt"])
async def test_over_grpc_a_receipt_others_may_not_see_is_as_unknown_as_one_never_given(
    channel: grpc.aio.Channel, token_keys: TokenKeys, call: str
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    made = await make_deposit(stub, token_keys.family(MOTHER))
    rpc = getattr(stub, call)

    def asking(number: str, metadata: Metadata) -> Awaitable[object]:
        return rpc(pb.GetReceiptRequest(receipt_number=number), metadata=metadata)

    number = made.receipt.receipt_number
    not_found = (grpc.StatusCode.NOT_FOUND, "receipt_not_found", "receipt_number")
    unknown = await refused_over_grpc(
        asking("KL-000000000000", token_keys.family(MOTHER)), *not_found
    )
    for stranger in (
        token_keys.family("stranger"),
        staff(token_keys, Role.FACILITY_OFFICER, ("FAC-EAST",)),
    ):
        assert await refused_over_grpc(asking(number, stranger), *not_found) == unknown
    await refused_over_grpc(
        asking("", token_keys.family(MOTHER)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "receipt_number_missing",
        "receipt_number",
    )
    await refused_over_grpc(
        asking(number, staff(token_keys, Role.PLATFORM_SERVICE)),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )
    await refused_over_grpc(asking(number, []), grpc.StatusCode.UNAUTHENTICATED, "token_missing")


async def test_an_allowances_receipt_over_grpc_carries_its_hold_and_the_allowance_its_number(
    ledger: Ledger, channel: grpc.aio.Channel, token_keys: TokenKeys
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    account = uuid4()
    ended = ended_allowance(ledger, account, 5000, 1200, 1800)
    mine = token_keys.family(str(account))
    shown = await stub.GetAllowance(
        pb.GetAllowanceRequest(allowance_id=str(ended.allowance_id)), metadata=mine
    )
    assert shown.receipt_number == ended.receipt_number
    receipt = await stub.GetReceipt(
        pb.GetReceiptRequest(receipt_number=shown.receipt_number), metadata=mine
    )
    assert (receipt.kind, receipt.resident_id, receipt.total_cents) == (
        pb.RECEIPT_KIND_ALLOWANCE_CAPTURE,
        RESIDENT,
        3000,
    )
    assert [(line.description, line.amount_cents) for line in receipt.lines] == [
        ("Commissary orders paid from the allowance", 3000)
    ]
    assert (receipt.hold.authorized_cents, receipt.hold.released_cents) == (5000, 2000)
    released = ended_allowance(ledger, account, 5000)
    nothing_used = await stub.GetAllowance(
        pb.GetAllowanceRequest(allowance_id=str(released.allowance_id)), metadata=mine
    )
    assert nothing_used.receipt_number == ""
    deposit_receipt = await stub.GetReceipt(
        pb.GetReceiptRequest(
            receipt_number=(await make_deposit(stub, mine)).receipt.receipt_number
        ),
        metadata=mine,
    )
    assert not deposit_receipt.HasField("hold")
