"""Execution clients as the routers see them: one method per OpenAlgo operation, each returning
the response body. `PaperExecution` binds the single paper engine to one user and a data client;
live brokers provide the same methods over their ExecutionClient (broker issues)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from backend.core.errors import AppError
from backend.domains.sandbox.service import SandboxService
from brokers.contract import BrokerError, DataClient, Instrument, OrderRequest


async def _answer(call: Awaitable[dict[str, Any]], analyze: bool) -> dict[str, Any]:
    """Run a paper-engine call; broker-style refusals become envelope errors (with the mode tag)."""
    try:
        body = await call
    except BrokerError as exc:
        extra = {"mode": "analyze"} if analyze else {}
        raise AppError(exc.message, exc.status, **extra) from None
    if not analyze:
        body.pop("mode", None)  # the simulator broker answers like a live broker
    return body


@dataclass(frozen=True)
class PaperExecution:
    sandbox: SandboxService
    user_id: int
    data: DataClient
    analyze: bool

    async def place_order(self, request: OrderRequest, instrument: Instrument) -> dict[str, Any]:
        return await _answer(self.sandbox.place_order(self.user_id, request, instrument, self.data), self.analyze)

    async def place_smart_order(self, request: OrderRequest, position_size: int,
                                instrument: Instrument) -> dict[str, Any]:
        return await _answer(
            self.sandbox.place_smart_order(self.user_id, request, position_size, instrument, self.data), self.analyze)

    async def modify_order(self, orderid: str, request: OrderRequest, instrument: Instrument) -> dict[str, Any]:
        return await _answer(
            self.sandbox.modify_order(self.user_id, orderid, request, instrument, self.data), self.analyze)

    async def cancel_order(self, orderid: str) -> dict[str, Any]:
        return await _answer(self.sandbox.cancel_order(self.user_id, orderid), self.analyze)

    async def cancel_all_orders(self) -> dict[str, Any]:
        return await _answer(self.sandbox.cancel_all_orders(self.user_id), self.analyze)

    async def close_all_positions(self, strategy: str) -> dict[str, Any]:
        return await _answer(self.sandbox.close_all_positions(self.user_id, self.data, strategy), self.analyze)

    async def order_status(self, orderid: str) -> dict[str, Any]:
        return await _answer(self.sandbox.order_status(self.user_id, orderid), self.analyze)

    async def open_position(self, symbol: str, exchange: str, product: str) -> dict[str, Any]:
        return await _answer(self.sandbox.open_position(self.user_id, symbol, exchange, product), self.analyze)

    async def orderbook(self) -> dict[str, Any]:
        return await _answer(self.sandbox.orderbook(self.user_id), self.analyze)

    async def tradebook(self) -> dict[str, Any]:
        return await _answer(self.sandbox.tradebook(self.user_id), self.analyze)

    async def positionbook(self) -> dict[str, Any]:
        return await _answer(self.sandbox.positionbook(self.user_id), self.analyze)

    async def holdings(self) -> dict[str, Any]:
        return await _answer(self.sandbox.holdings(self.user_id), self.analyze)

    async def funds(self) -> dict[str, Any]:
        return await _answer(self.sandbox.funds(self.user_id), self.analyze)
