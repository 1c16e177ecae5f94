"""`ExecutionClient` over the paper engine, in canonical types: what the simulator broker (and
any caller that wants `Order`/`Position` objects rather than OpenAlgo dicts) uses for one user."""

from __future__ import annotations

from backend.domains.sandbox.repository import SandboxReader
from backend.domains.sandbox.service import SandboxService
from brokers.contract import (
    Funds,
    Holding,
    InstrumentNotFound,
    Order,
    OrderRequest,
    Position,
    Trade,
)
from brokers.paper.engine import BROKER, MarketData
from brokers.paper.model import PaperOrder, from_paise_decimal


def canonical_order(order: PaperOrder) -> Order:
    request = OrderRequest(order.contract.symbol, order.contract.exchange, order.action, order.quantity,
                           order.pricetype, order.product, order.price, order.trigger_price, 0, order.strategy)
    return Order(order.orderid, request, order.status, order.filled_quantity, order.average_price,
                 order.created_at, order.reason)


class PaperExecutionClient:
    def __init__(self, service: SandboxService, user_id: int, market: MarketData | None) -> None:
        self.service, self.user_id, self.market = service, user_id, market

    async def _instrument(self, request: OrderRequest):
        instrument = await self.service.resolve(request.symbol, str(request.exchange)) if self.service.resolve else None
        if instrument is None:
            raise InstrumentNotFound(BROKER, request.symbol, str(request.exchange))
        return instrument

    async def place_order(self, request: OrderRequest) -> Order:
        order = await self.service.engine.place(self.user_id, request, await self._instrument(request), self.market)
        return canonical_order(order)

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        order = await self.service.engine.modify(self.user_id, orderid, request, await self._instrument(request),
                                                 self.market)
        return canonical_order(order)

    async def cancel_order(self, orderid: str) -> Order:
        return canonical_order(await self.service.engine.cancel(self.user_id, orderid))

    async def orders(self) -> list[Order]:
        async with self.service.db.sessions() as session:
            rows = await SandboxReader(session, self.user_id).orders(self.service.session_start())
        return [canonical_order(order) for order in rows]

    async def trades(self) -> list[Trade]:
        async with self.service.db.sessions() as session:
            rows = await SandboxReader(session, self.user_id).trades(self.service.session_start())
        return [Trade(t.orderid, t.tradeid, t.symbol, t.exchange, t.action, t.product, t.quantity, t.price,
                      t.timestamp) for t in rows]

    async def positions(self) -> list[Position]:
        return [Position(p.contract.symbol, p.contract.exchange, p.product, p.quantity, p.average_price,
                         float(p.ltp), from_paise_decimal(p.unrealized_paise()), from_paise_decimal(p.realized_paise))
                for p in await self.service.positions(self.user_id)]

    async def holdings(self) -> list[Holding]:
        async with self.service.db.sessions() as session:
            rows = await SandboxReader(session, self.user_id).holdings()
        return [Holding(h.symbol, h.exchange, h.quantity, h.average_price, float(h.ltp)) for h in rows]

    async def funds(self) -> Funds:
        state, unrealized, today = await self.service.funds_state(self.user_id)
        return Funds(availablecash=from_paise_decimal(state.available_paise),
                     m2mrealized=from_paise_decimal(state.today_realized(today)),
                     m2munrealized=from_paise_decimal(unrealized),
                     utiliseddebits=from_paise_decimal(state.used_paise))
