"""kinlink.visitation.v1.VisitationService over gRPC, one module per part of the service. A
method no part implements yet answers UNIMPLEMENTED (the generated base)."""

from __future__ import annotations

from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.auth import AccessPolicy

from kinlink_visitation.entrypoints.connecting_api import CONNECTING_POLICY
from kinlink_visitation.entrypoints.connecting_api import ConnectingApi
from kinlink_visitation.entrypoints.messages import SERVICE_NAME
from kinlink_visitation.entrypoints.money_api import MONEY_POLICY
from kinlink_visitation.entrypoints.money_api import MoneyApi
from kinlink_visitation.entrypoints.scheduling_api import SCHEDULING_POLICY
from kinlink_visitation.entrypoints.scheduling_api import SchedulingApi
from kinlink_visitation.service_layer.visitation import Visitation

__all__ = ["ACCESS_POLICY", "SERVICE_NAME", "VisitationServicer"]

ACCESS_POLICY: AccessPolicy = {
    **SCHEDULING_POLICY,
    **MONEY_POLICY,
    **CONNECTING_POLICY,
}


class VisitationServicer(
    SchedulingApi,
    MoneyApi,
    ConnectingApi,
    visitation_pb2_grpc.VisitationServiceServicer,
):
    """Use cases are synchronous (the event store is); they run in worker threads."""

    def __init__(self, visitation: Visitation) -> None:
        self.visitation = visitation
