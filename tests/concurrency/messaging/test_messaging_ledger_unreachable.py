"""The ledger unreachable while a family member sends: the send is refused
`wallet_unavailable`, nothing is charged and nothing sent; the payment sweep cannot settle the
message while the ledger stays away, and abandons it once the ledger answers that nothing was
charged for it. It is never published."""

from __future__ import annotations

from pathlib import Path

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused_over_grpc

from tests.concurrency.messaging.conftest import FUNDING
from tests.concurrency.messaging.conftest import MODULE
from tests.concurrency.messaging.conftest import Around
from tests.concurrency.messaging.conftest import balance
from tests.concurrency.messaging.conftest import charge_of
from tests.concurrency.messaging.conftest import knows_resident
from tests.concurrency.messaging.conftest import settled
from tests.concurrency.messaging.conftest import submissions
from tests.concurrency.messaging.conftest import sweeping
from tests.concurrency.messaging.ledger_between import CHARGE
from tests.concurrency.messaging.ledger_between import GET_CHARGE
from tests.concurrency.processes import is_serving
from tests.concurrency.processes import service_processes

KEY, LAST = "while-the-ledger-is-away", "once-it-is-back"


async def test_a_send_while_the_ledger_is_unreachable_charges_and_sends_nothing(
    infra: Infra, around: Around, tmp_path: Path
) -> None:
    ledger, family, between = around.ledger, around.family, around.between
    metadata = family.metadata
    metrics_port = free_port()
    with service_processes(MODULE, 1, sweeping(around.env, metrics_port), tmp_path) as [address]:
        await eventually(lambda: is_serving(address), timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = messaging_pb2_grpc.MessagingServiceStub(channel)
            await eventually(lambda: knows_resident(stub, family), timeout=120)
            between.unreachable = True
            await refused_over_grpc(
                stub.SendMessage(family.send(KEY), metadata=metadata),
                grpc.StatusCode.UNAVAILABLE,
                "wallet_unavailable",
            )

            async def the_sweep_asked() -> bool:
                return GET_CHARGE in between.unanswered

            await eventually(the_sweep_asked, timeout=60)
            assert between.unanswered[0] == CHARGE
            assert settled(metrics_port, "abandoned") == settled(metrics_port, "submitted") == 0

            between.unreachable = False

            async def abandoned() -> bool:
                return settled(metrics_port, "abandoned") == 1

            await eventually(abandoned, timeout=60)
            assert settled(metrics_port, "submitted") == 0
            await refused_over_grpc(
                stub.GetMessage(
                    pb.GetMessageRequest(message_id=str(family.message_id(KEY))),
                    metadata=metadata,
                ),
                grpc.StatusCode.NOT_FOUND,
                "message_not_found",
                "message_id",
            )
            sent = await stub.ListSent(pb.ListSentRequest(page_size=50), metadata=metadata)
            assert list(sent.messages) == []
            last = await stub.SendMessage(family.send(LAST), metadata=metadata)
        # Read while the process runs: its outbox relay publishes what it saved.
        published = await submissions(infra, family, LAST)

    assert charge_of(ledger, family, KEY) is None
    assert last.charged_cents == charge_of(ledger, family, LAST)
    assert balance(ledger, family) == FUNDING - last.charged_cents
    assert published == [family.message_id(LAST)]
