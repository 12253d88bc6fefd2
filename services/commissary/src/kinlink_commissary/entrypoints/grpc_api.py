"""kinlink.commissary.v1.CommissaryService over gRPC, one module per part of the service. A
method no part implements yet answers UNIMPLEMENTED (the generated base)."""

from __future__ import annotations

from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_kit.auth import AccessPolicy

from kinlink_commissary.entrypoints.allowances_api import ALLOWANCES_POLICY
from kinlink_commissary.entrypoints.allowances_api import AllowancesApi
from kinlink_commissary.entrypoints.messages import SERVICE_NAME
from kinlink_commissary.entrypoints.orders_api import ORDERS_POLICY
from kinlink_commissary.entrypoints.orders_api import OrdersApi
from kinlink_commissary.service_layer.commissary import Commissary

__all__ = ["ACCESS_POLICY", "SERVICE_NAME", "CommissaryServicer"]

ACCESS_POLICY: AccessPolicy = {
    **ALLOWANCES_POLICY,
    **ORDERS_POLICY,
}


class CommissaryServicer(
    AllowancesApi,
    OrdersApi,
    commissary_pb2_grpc.CommissaryServiceServicer,
):
    """Use cases are synchronous (the event store is); they run in worker threads."""

    def __init__(self, commissary: Commissary) -> None:
        self.commissary = commissary
