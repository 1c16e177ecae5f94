"""The SPA's trading routes: the same operations as `/api/v1`, authenticated by the web session
(+ CSRF on writes) so the browser never holds the long-lived API key. Answers use the same
shapes as the OpenAlgo endpoints they mirror."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from backend.api.deps import SessionDep, WebUser
from backend.api.v1.context import instrument_or_400
from backend.api.v1.fields import STRICT, ExchangeField, ProductField
from backend.api.v1.market_data import (
    HISTORY_INTERVALS,
    candle_payload,
    check_range,
    depth_payload,
    fetch_history_for,
    quote_payload,
)
from backend.api.v1.orders import order_request
from backend.api.v1.schemas import OrderFields
from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.symbols.schemas import search_row
from backend.domains.trading import analyzer_log
from backend.domains.trading.gateway import SIMULATOR, Gateway
from backend.domains.trading.service import get_profile, set_analyze_mode, set_broker
from brokers.common.calendar import default_calendar
from brokers.contract import Action, Exchange, OrderRequest

router = APIRouter(prefix="/web/trading", tags=["web trading"])


async def gateway(request: Request, user) -> Gateway:
    route = await request.app.state.gateways.for_user(user)
    request.state.symbols = route.symbols  # instrument_or_400 resolves in the user's broker's master
    request.state.gateway = route
    return route


class PlaceOrderBody(OrderFields):
    strategy: str = "web"


class AnalyzerBody(BaseModel):
    model_config = STRICT
    mode: bool


class ClosePositionBody(BaseModel):
    model_config = STRICT
    symbol: str
    exchange: ExchangeField
    product: ProductField


def market_status(request: Request, broker: str) -> tuple[bool, str]:
    """Is NSE trading now? The simulator's demo setting keeps its market open around the clock."""
    simulator = getattr(request.app.state, "simulator", None)
    if broker == SIMULATOR and simulator is not None and str(simulator.market.session_mode) == "always_open":
        return True, "Simulator market: open around the clock (demo setting)"
    calendar = default_calendar()
    if calendar.is_open("NSE", now_ist()):
        return True, "NSE is open"
    return False, "NSE is closed"


@router.get("/profile")
async def profile(request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    view = await get_profile(session, caller.id, request.app.state.gateways.default_broker)
    market_open, market_message = market_status(request, view.broker)
    return {"status": "success", "data": {"broker": view.broker, "analyze_mode": view.analyze_mode,
                                          "order_mode": view.order_mode, "market_open": market_open,
                                          "market_message": market_message}}


@router.get("/brokers")
async def brokers(request: Request, caller: WebUser) -> dict[str, Any]:
    """The brokers this installation offers, for the broker chooser."""
    manifests = request.app.state.brokers.manifests
    return {"status": "success", "data": [
        {"name": m.name, "display_name": m.display_name, "auth_type": str(m.auth_type), "family": m.family}
        for m in sorted(manifests.values(), key=lambda m: m.display_name)]}


@router.get("/analyzer/log")
async def analyzer_requests(request: Request, caller: WebUser,
                            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """The caller's API requests made in analyzer mode, newest first."""
    await request.app.state.log_writer.flush()  # include what is still queued
    return {"status": "success", "data": await analyzer_log.recent(request.app.state.db, caller.id, limit)}


@router.post("/analyzer/reset")
async def reset_paper_capital(request: Request, caller: WebUser) -> dict[str, Any]:
    """Start the paper account afresh with the configured capital."""
    await request.app.state.sandbox.reset_capital(caller.id)
    return await (await gateway(request, caller)).execution.funds()


class BrokerBody(BaseModel):
    model_config = STRICT
    broker: str


@router.put("/broker")
async def choose_broker(body: BrokerBody, request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    """Trade through another installed broker (its login comes next); orders and books follow it."""
    if body.broker not in request.app.state.brokers.manifests:
        raise AppError(f"Unknown broker '{body.broker}'. Installed: "
                       f"{', '.join(sorted(request.app.state.brokers.manifests))}", 400)
    view = await set_broker(session, caller.id, body.broker, request.app.state.gateways.default_broker)
    await session.commit()
    request.app.state.gateways.forget(caller.id)
    return {"status": "success", "data": {"broker": view.broker}}


@router.get("/broker-session")
async def broker_session(request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    """The state of the user's broker session: connected, expiring, expired, re-authenticating."""
    view = await get_profile(session, caller.id, request.app.state.gateways.default_broker)
    if view.broker == SIMULATOR:  # no login: the built-in market is always there
        return {"status": "success", "data": {"broker": view.broker, "state": "connected", "expires_at": None,
                                              "message": ""}}
    status = await request.app.state.broker_sessions.status(session, caller.id, view.broker)
    return {"status": "success", "data": {"broker": status.broker, "state": status.state.value,
                                          "expires_at": status.expires_at.isoformat() if status.expires_at else None,
                                          "message": status.message}}


@router.put("/analyzer")
async def toggle_analyzer(body: AnalyzerBody, request: Request, caller: WebUser, session: SessionDep) -> dict:
    view = await set_analyze_mode(session, caller.id, body.mode, request.app.state.gateways.default_broker)
    await session.commit()
    request.app.state.gateways.forget(caller.id)
    return {"status": "success", "data": {"analyze_mode": view.analyze_mode,
                                          "mode": "analyze" if view.analyze_mode else "live"}}


@router.get("/funds")
async def funds(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.funds()


@router.get("/orders")
async def orders(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.orderbook()


@router.get("/trades")
async def trades(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.tradebook()


@router.get("/positions")
async def positions(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.positionbook()


@router.get("/holdings")
async def holdings(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.holdings()


@router.post("/orders")
async def place_order(body: PlaceOrderBody, request: Request, caller: WebUser) -> dict[str, Any]:
    route = await gateway(request, caller)
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    return await route.execution.place_order(order_request(body, body.strategy), instrument)


@router.put("/orders/{orderid}")
async def modify_order(orderid: str, body: PlaceOrderBody, request: Request, caller: WebUser) -> dict[str, Any]:
    route = await gateway(request, caller)
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    return await route.execution.modify_order(orderid, order_request(body, body.strategy), instrument)


@router.delete("/orders/{orderid}")
async def cancel_order(orderid: str, request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.cancel_order(orderid)


@router.post("/orders/cancel-all")
async def cancel_all(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.cancel_all_orders()


@router.post("/positions/close-all")
async def close_all(request: Request, caller: WebUser) -> dict[str, Any]:
    return await (await gateway(request, caller)).execution.close_all_positions("web")


@router.post("/positions/close")
async def close_one(body: ClosePositionBody, request: Request, caller: WebUser) -> dict[str, Any]:
    """Flatten one position: a smart order with target size 0 in the position's product."""
    route = await gateway(request, caller)
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    flat = OrderRequest(body.symbol, body.exchange, Action.SELL, 0, product=body.product, strategy="web")
    return await route.execution.place_smart_order(flat, 0, instrument)


market = APIRouter(prefix="/web/market", tags=["web market data"])


def parse_keys(symbols: str) -> list[tuple[str, str]]:
    keys = []
    for item in filter(None, (part.strip() for part in symbols.split(","))):
        exchange, sep, symbol = item.partition(":")
        if not sep or not symbol:
            raise AppError(f"'{item}' is not EXCHANGE:SYMBOL", 400)
        keys.append((exchange.upper(), symbol.upper()))
    if not keys or len(keys) > 100:
        raise AppError("give 1 to 100 symbols as EXCHANGE:SYMBOL, comma-separated", 400)
    return keys


@market.get("/quotes")
async def quotes(request: Request, caller: WebUser,
                 symbols: Annotated[str, Query(description="EXCHANGE:SYMBOL,…")]) -> dict[str, Any]:
    route = await gateway(request, caller)
    instruments = [instrument_or_400(request, exchange, symbol) for exchange, symbol in parse_keys(symbols)]
    found = await route.data.multiquote(instruments)
    return {"status": "success", "data": {key: quote_payload(quote) for key, quote in found.items()}}


@market.get("/search")
async def search(request: Request, caller: WebUser, query: Annotated[str, Query(min_length=1, max_length=64)],
                 exchange: str | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    if exchange is not None and exchange not in Exchange.__members__:
        raise AppError(f"Unknown exchange '{exchange}'", 400)
    master = await request.app.state.gateways.symbols_for(caller)
    await master.ensure_search()
    found = master.search(query, exchange, None, limit)
    return {"status": "success", "data": [search_row(item) for item in found]}


@market.get("/history")
async def history(request: Request, caller: WebUser, exchange: str, symbol: str,
                  interval: Literal[HISTORY_INTERVALS], start_date: date, end_date: date) -> dict[str, Any]:  # type: ignore[valid-type]
    check_range(interval, start_date, end_date)
    route = await gateway(request, caller)
    instrument = instrument_or_400(request, exchange.upper(), symbol.upper())
    candles = await fetch_history_for(route, instrument, interval, start_date, end_date)
    return {"status": "success", "data": [candle_payload(c) for c in candles]}


@market.get("/depth")
async def depth(request: Request, caller: WebUser, exchange: str, symbol: str) -> dict[str, Any]:
    route = await gateway(request, caller)
    instrument = instrument_or_400(request, exchange.upper(), symbol.upper())
    return {"status": "success", "data": depth_payload(await route.data.depth(instrument))}


