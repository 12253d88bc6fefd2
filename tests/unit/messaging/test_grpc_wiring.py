"""Every call of kinlink.messaging.v1.MessagingService is served and has its access policy:
a call missing either would be refused to everyone (or answered UNIMPLEMENTED)."""

from __future__ import annotations

import pytest
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_messaging.entrypoints.grpc_api import MessagingServicer
from kinlink_messaging.entrypoints.messages import method

CALLS = [m.name for m in pb.DESCRIPTOR.services_by_name["MessagingService"].methods]


@pytest.mark.parametrize("call", CALLS)
def test_each_call_is_served_and_has_an_access_policy(call: str) -> None:
    assert ACCESS_POLICY.get(method(call)), f"{call} has no roles allowed"
    generated = getattr(messaging_pb2_grpc.MessagingServiceServicer, call)
    assert getattr(MessagingServicer, call) is not generated, f"{call} is not implemented"


def test_the_policy_names_no_call_the_service_lacks() -> None:
    assert set(ACCESS_POLICY) == {method(call) for call in CALLS}


def test_the_sweeps_and_the_request_size_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINLINK_MESSAGE_PAYMENT_SWEEP_AFTER_SECONDS", "120")
    monkeypatch.setenv("KINLINK_MESSAGE_EXPIRY_EVERY_SECONDS", "30")
    monkeypatch.setenv("KINLINK_MAX_REQUEST_BYTES", str(16 * 1024 * 1024))
    monkeypatch.setenv("KINLINK_LEDGER_TARGET", "ledger:50051")
    settings = MessagingSettings()
    assert settings.message_payment_sweep_after_seconds == 120
    assert settings.message_expiry_every_seconds == 30
    assert settings.max_request_bytes == 16 * 1024 * 1024
    assert settings.ledger_target == "ledger:50051"
    assert settings.database == "kinlink_messaging"
