"""A stand-in for the network between messaging and the ledger: every call passes through as
it came (bytes, the caller's token, the ledger's refusals with their codes), unless the test
says otherwise. It is how a test puts a messaging process at the worst moment of a send on
purpose rather than by luck: the ledger has charged, and messaging never hears it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AUTHORIZATION_HEADER

CHARGE = "/kinlink.ledger.v1.LedgerService/Charge"
GET_CHARGE = "/kinlink.ledger.v1.LedgerService/GetCharge"


@dataclass
class LedgerBetween:
    ledger: str
    # The ledger cannot be reached: every call is answered UNAVAILABLE, the ledger never asked.
    unreachable: bool = False
    unanswered: list[str] = field(default_factory=list)  # the methods called meanwhile
    # While set, no charge is answered: this many reach the ledger (which charges them, and
    # their references are listed in `charged`), the ones after are held before it (`held`).
    holding_charges: int | None = None
    charged: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    _let_through: int = 0

    async def answer(self, method: str, request: bytes, context: Any) -> bytes:
        if self.unreachable:
            self.unanswered.append(method)
            await context.abort(grpc.StatusCode.UNAVAILABLE, "the ledger cannot be reached")
        holding = method == CHARGE and self.holding_charges is not None
        if method == CHARGE:
            reference = pb.ChargeRequest.FromString(request).reference
            if holding:
                if self._let_through >= (self.holding_charges or 0):
                    self.held.append(reference)
                    await _never()
                self._let_through += 1
        answer = await self._pass(method, request, context)
        if holding:
            self.charged.append(reference)
            await _never()  # the caller is to die waiting
        return answer

    async def _pass(self, method: str, request: bytes, context: Any) -> bytes:
        token = [(k, v) for k, v in context.invocation_metadata() if k == AUTHORIZATION_HEADER]
        async with grpc.aio.insecure_channel(self.ledger) as channel:
            try:
                answer: bytes = await channel.unary_unary(method)(
                    request,
                    metadata=token,
                    timeout=context.time_remaining(),  # the caller's deadline, as sent
                )
            except grpc.aio.AioRpcError as refusal:
                trailers = tuple(refusal.trailing_metadata() or ())  # the refusal's code
                await context.abort(refusal.code(), refusal.details() or "", trailers)
        return answer


async def _never() -> None:
    await asyncio.Event().wait()


class _EveryMethod(grpc.GenericRpcHandler):
    def __init__(self, between: LedgerBetween) -> None:
        self._between = between

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        method = details.method

        async def answer(request: bytes, context: Any) -> bytes:
            return await self._between.answer(method, request, context)

        return grpc.unary_unary_rpc_method_handler(answer)


@asynccontextmanager
async def ledger_between(ledger: str) -> AsyncIterator[tuple[LedgerBetween, str]]:
    """The way to the ledger at `ledger`, served on a free port: yields it and its address."""
    between = LedgerBetween(ledger)
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((_EveryMethod(between),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield between, f"127.0.0.1:{port}"
    finally:
        await server.stop(grace=0)
