"""Two `kinlink-messaging` processes as operators run them, on one PostgreSQL database and the
real Kafka: both fill their directory from identity's topic, what one saves the other lists,
and a request larger than gRPC's default reaches the image rules."""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refusal_of
from kinlink_kit.testing import refused_over_grpc

from tests.concurrency.processes import is_serving
from tests.concurrency.processes import service_env
from tests.concurrency.processes import service_processes
from tests.conftest import TokenKeys
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce

MODULE = "kinlink_messaging.entrypoints.main"


async def test_two_processes_share_one_database_and_accept_large_requests(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    env = {
        **service_env(infra, fresh_database, token_keys),
        # Images in a folder: nothing here stores one (the stores have their own tests).
        "KINLINK_DATA_DIR": str(tmp_path),
        # Nothing here is charged: the wallet's sign-in is never asked for.
        "KINLINK_SERVICE_ACCOUNT_EMAIL": "messaging@kinlink.internal",
        "KINLINK_SERVICE_ACCOUNT_PASSWORD": "not-used-by-this-test",
    }
    await skip_earlier_events(infra.kafka_bootstrap, IDENTITY_EVENTS, env["KINLINK_CONSUMER_GROUP"])
    facility_id, resident_id = f"FAC-{uuid4().hex[:8].upper()}", "R-1"
    events = [
        facility_configured(facility_id, DEMO_FACILITIES[FAC_DEMO]),
        resident_booked(facility_id, resident_id),
    ]
    await produce(
        infra.kafka_bootstrap, IDENTITY_EVENTS, [(e.key.encode(), e.to_bytes()) for e in events]
    )
    me = token_keys.family(str(uuid4()))

    with service_processes(MODULE, 2, env, tmp_path) as [first, second]:
        for address in (first, second):
            await eventually(lambda address=address: is_serving(address))
        async with (
            grpc.aio.insecure_channel(first) as one,
            grpc.aio.insecure_channel(second) as other,
        ):
            saving, listing = (
                messaging_pb2_grpc.MessagingServiceStub(one),
                messaging_pb2_grpc.MessagingServiceStub(other),
            )
            draft = pb.SaveDraftRequest(
                client_key="d", facility_id=facility_id, resident_id=resident_id, body="Dear"
            )

            async def saved_once_the_resident_is_known() -> bool:
                try:
                    await saving.SaveDraft(draft, metadata=me)
                except grpc.aio.AioRpcError as refused:
                    assert refusal_of(refused).reason == "resident_not_found"
                    return False
                return True

            await eventually(saved_once_the_resident_is_known)
            listed = await listing.ListDrafts(pb.ListDraftsRequest(page_size=10), metadata=me)
            assert [(d.resident_id, d.body) for d in listed.drafts] == [(resident_id, "Dear")]

            large = pb.ImageUpload(
                file_name="scan.png", content_type="image/png", content=os.urandom(6_000_000)
            )
            send = pb.SendMessageRequest(
                client_key="k", facility_id=facility_id, resident_id=resident_id, images=[large]
            )
            await refused_over_grpc(
                listing.SendMessage(send, metadata=me),
                grpc.StatusCode.INVALID_ARGUMENT,
                "image_too_large",
                "images",
            )
