"""Execution clients as the routers see them: one method per OpenAlgo operation, each returning
the response body. `PaperExecution` binds the single paper engine to one user, a data client (the
placement's quotes) and a market source (what moves the order afterwards, market_sources.py);
live brokers provide the same methods over their ExecutionClient (broker issues)."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from backend.core.errors import AppError
from backend.domains.sandbox.service import SandboxService
from brokers.contract import BrokerError, DataClient, Instrument, OrderRequest

Body = dict[str, Any]


@dataclass(frozen=True)
class PaperExecution:
    sandbox: SandboxService
    user_id: int
    data: DataClient
    analyze: bool
    latency: Any = None  # monitoring's LatencyRecorder: every engine call lands in the latency log
    source: str | None = None  # the market source; None: the engine looks up the user's

    async def _call(self, operation: str, call: Coroutine[Any, Any, Body]) -> Body:
        """Run one engine call, timed; broker-style refusals become envelope errors (with the mode
        tag in analyzer mode); the simulator broker answers like a live broker (no mode tag)."""
        try:
            if self.latency is None:
                body = await call
            else:
                async with self.latency.measure("sandbox", operation, user_id=self.user_id):
                    body = await call
        except BrokerError as exc:
            raise AppError(exc.message, exc.status, **({"mode": "analyze"} if self.analyze else {})) from None
        if not self.analyze:
            body.pop("mode", None)
        return body

    async def place_order(self, request: OrderRequest, instrument: Instrument) -> Body:
        return await self._call("placeorder", self.sandbox.place_order(
            self.user_id, request, instrument, self.data, self.source))

    async def place_smart_order(self, request: OrderRequest, position_size: int, instrument: Instrument) -> Body:
        return await self._call("placesmartorder", self.sandbox.place_smart_order(
            self.user_id, request, position_size, instrument, self.data, self.source))

    async def modify_order(self, orderid: str, request: OrderRequest, instrument: Instrument) -> Body:
        return await self._call("modifyorder", self.sandbox.modify_order(
            self.user_id, orderid, request, instrument, self.data, self.source))

    async def cancel_order(self, orderid: str) -> Body:
        return await self._call("cancelorder", self.sandbox.cancel_order(self.user_id, orderid))

    async def cancel_all_orders(self) -> Body:
        return await self._call("cancelallorder", self.sandbox.cancel_all_orders(self.user_id))

    async def close_all_positions(self, strategy: str) -> Body:
        return await self._call("closeposition", self.sandbox.close_all_positions(
            self.user_id, self.data, strategy, self.source))

    async def order_status(self, orderid: str) -> Body:
        return await self._call("orderstatus", self.sandbox.order_status(self.user_id, orderid))

    async def open_position(self, symbol: str, exchange: str, product: str) -> Body:
        return await self._call("openposition", self.sandbox.open_position(self.user_id, symbol, exchange, product))

    async def orderbook(self) -> Body:
        return await self._call("orderbook", self.sandbox.orderbook(self.user_id))

    async def tradebook(self) -> Body:
        return await self._call("tradebook", self.sandbox.tradebook(self.user_id))

    async def positionbook(self) -> Body:
        return await self._call("positionbook", self.sandbox.positionbook(self.user_id))

    async def holdings(self) -> Body:
        return await self._call("holdings", self.sandbox.holdings(self.user_id))

    async def funds(self) -> Body:
        return await self._call("funds", self.sandbox.funds(self.user_id))
