"""Analyzer-mode trading for the `/api/v1` routers: one `SandboxService` per app, every method
scoped by `user_id`, answers in OpenAlgo's analyze-mode shapes.

Transactions: each state-changing call is one per-user unit of work that the engine commits
itself (serialised per user across workers, see repository.py). Refusals raise `OrderRejected`
(`.status` 400, or 404 for unknown orders; `.orderid` set when the rejection was recorded).

Market sources: each account follows one market (the simulator, or in analyzer mode the user's own
live broker). With a `MarketDirectory` wired in (`use_markets`), the safety poll, the sweep and the
catch-up quote every source with its own data client and skip a source that has none right now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from backend.core.db import Database
from backend.core.settings import Settings
from backend.domains.sandbox import responses
from backend.domains.sandbox.repository import SandboxReader
from backend.domains.sandbox.setup import paper_calendar, paper_config, parse_hhmm
from backend.domains.sandbox.sqlite_store import paper_store
from brokers.contract import Action, Instrument, OrderRejected, OrderRequest, Tick
from brokers.paper import lifecycle
from brokers.paper.book import DEFAULT_SOURCE
from brokers.paper.calendar import IST, ExchangeCalendar
from brokers.paper.config import PaperConfig
from brokers.paper.engine import BROKER, MarketData, PaperEngine
from brokers.paper.model import ContractSpec, FundsState, PaperPosition
from brokers.paper.placement import NoActionNeeded
from brokers.paper.pricing import MarketSnapshot

log = logging.getLogger("algogate.sandbox")
InstrumentResolver = Callable[[str, str], Awaitable[Instrument | None]]


class MarketDirectory(Protocol):
    """Which market each account follows, and how to quote a market source now."""

    async def market_sources(self, user_ids: Collection[int]) -> dict[int, str]: ...

    async def market_for(self, source: str) -> MarketData | None:
        """None when the source cannot be quoted now (e.g. the user's broker session expired)."""
        ...

    async def instrument(self, source: str, exchange: str, symbol: str) -> Instrument | None:
        """The instrument as the source's broker knows it (its own token and symbol)."""
        ...


def instrument_of(contract: ContractSpec) -> Instrument:
    """A minimal instrument from what the engine stored (when no symbol index is wired)."""
    return Instrument(symbol=contract.symbol, brsymbol=contract.symbol, name=contract.underlying,
                      exchange=contract.exchange, brexchange=str(contract.exchange), token="",
                      expiry=contract.expiry, strike=contract.strike, lotsize=contract.lotsize,
                      tick_size=contract.tick_size, instrumenttype=contract.instrumenttype,
                      freeze_qty=contract.freeze_qty)


class SandboxService:
    def __init__(self, db: Database, settings: Settings, *, config: PaperConfig | None = None,
                 calendar: ExchangeCalendar | None = None, clock: Callable[[], datetime] | None = None,
                 resolve: InstrumentResolver | None = None) -> None:
        self.db = db
        self.settings = settings
        self.engine = PaperEngine(paper_store(db, settings.sqlite_busy_timeout_ms), config=config or paper_config(settings),
                                  calendar=calendar or paper_calendar(settings), clock=clock)
        self.resolve = resolve
        self.markets: MarketDirectory | None = None

    def use_markets(self, markets: MarketDirectory) -> None:
        """Quote and match every account against its own market source from now on."""
        self.markets = markets
        self.engine.locate = markets.market_sources

    # --- helpers ----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.engine.clock()

    def session_start(self) -> datetime:
        """The last session boundary (SESSION_EXPIRY_TIME, IST): order and trade books start here."""
        now = self.now().astimezone(IST)
        boundary = datetime.combine(now.date(), parse_hhmm(self.settings.session_expiry_time), IST)
        return (boundary if now >= boundary else boundary - timedelta(days=1)).astimezone(UTC)

    async def instrument_for(self, contract: ContractSpec) -> Instrument:
        if self.resolve is not None:
            instrument = await self.resolve(contract.symbol, str(contract.exchange))
            if instrument is not None:
                return instrument
        return instrument_of(contract)

    async def instrument_on(self, source: str | None, contract: ContractSpec) -> Instrument | None:
        """The instrument to quote or place `contract` on `source`: from the source's own master
        contract when a market directory is wired (None if that broker does not list it)."""
        if self.markets is not None and source is not None:
            return await self.markets.instrument(source, str(contract.exchange), contract.symbol)
        return await self.instrument_for(contract)

    def quote_source(self, market: MarketData, source: str | None = None) -> lifecycle.QuoteFor:
        async def quote_for(contract: ContractSpec) -> MarketSnapshot | None:
            try:
                instrument = await self.instrument_on(source, contract)
                return MarketSnapshot.of_quote(await market.quote(instrument)) if instrument is not None else None
            except Exception:
                return None
        return quote_for

    def _reader(self, session, user_id: int) -> SandboxReader:
        return SandboxReader(session, user_id)

    def quoting(self, market: MarketData | None = None) -> lifecycle.SourceQuotes:
        """Quotes per market source for one run of a job: the directory's data client of each source
        (looked up once per run, only when needed), or `market` for every source without a directory."""
        found: dict[str, lifecycle.QuoteFor | None] = {}

        async def quotes(source: str) -> lifecycle.QuoteFor | None:
            if source not in found:
                client = market
                if self.markets is not None:
                    try:
                        client = await self.markets.market_for(source)
                    except Exception:  # one source failing must not stop the others
                        log.warning("no market data client for %s", source, exc_info=True)
                        client = None
                found[source] = self.quote_source(client, source) if client is not None else None
            return found[source]
        return quotes

    def quotes_of(self, user_id: int, quotes: lifecycle.SourceQuotes) -> lifecycle.QuoteFor:
        """The user's own source's quotes, resolved on the first quote actually needed."""
        async def quote_for(contract: ContractSpec) -> MarketSnapshot | None:
            source_quote = await quotes(await self.engine.source_of(user_id))
            return await source_quote(contract) if source_quote is not None else None
        return quote_for

    async def _marked(self, user_id: int, positions: list[PaperPosition]) -> list[PaperPosition]:
        await self.engine.source_of(user_id)
        for position in positions:
            snap = self.engine.mark(user_id, position.contract.key)
            if snap is not None and snap.ltp > 0:
                position.ltp = snap.ltp
        return positions

    # --- orders -----------------------------------------------------------------------------

    async def place_order(self, user_id: int, request: OrderRequest, instrument: Instrument,
                          market: MarketData | None, source: str | None = None) -> dict:
        order = await self.engine.place(user_id, request, instrument, market, source)
        return responses.success(orderid=order.orderid)

    async def place_smart_order(self, user_id: int, request: OrderRequest, position_size: int,
                                instrument: Instrument, market: MarketData | None, source: str | None = None) -> dict:
        """Trade the difference between `position_size` and the current same-product position."""
        try:
            order = await self.engine.place_smart(user_id, request, position_size, instrument, market, source)
        except NoActionNeeded as matched:
            return responses.success(message=matched.message)
        return responses.success(orderid=order.orderid)

    async def modify_order(self, user_id: int, orderid: str, request: OrderRequest, instrument: Instrument | None = None,
                           market: MarketData | None = None, source: str | None = None) -> dict:
        order = await self.engine.modify(user_id, orderid, request, instrument, market, source)
        return responses.success(orderid=order.orderid, message="Order modified successfully")

    async def cancel_order(self, user_id: int, orderid: str) -> dict:
        order = await self.engine.cancel(user_id, orderid)
        return responses.success(orderid=order.orderid, message="Order cancelled successfully")

    async def cancel_all_orders(self, user_id: int) -> dict:
        cancelled = await self.engine.cancel_all(user_id)
        ids = [order.orderid for order in cancelled]
        if not ids:
            return responses.success(message="No open orders to cancel", canceled_orders=[], failed_cancellations=[])
        return responses.success(message=f"Canceled {len(ids)} orders. Failed to cancel 0 orders.",
                                 canceled_orders=ids, failed_cancellations=[])

    async def close_all_positions(self, user_id: int, market: MarketData | None, strategy: str = "",
                                  source: str | None = None) -> dict:
        """Square off every open position with opposite MARKET orders in the position's product."""
        async with self.db.sessions() as session:
            open_positions = [p for p in await self._reader(session, user_id).positions() if p.quantity]
        if not open_positions:
            return responses.success(message="No open positions to close")
        closed, failed = 0, 0
        source = source or await self.engine.source_of(user_id)
        for position in open_positions:
            request = OrderRequest(position.contract.symbol, position.contract.exchange,
                                   Action.SELL if position.quantity > 0 else Action.BUY, abs(position.quantity),
                                   product=position.product, strategy=strategy or "CLOSE_POSITION")
            instrument = await self.instrument_on(source, position.contract)
            try:
                if instrument is None:
                    raise OrderRejected(BROKER, f"{position.contract.symbol} is not listed by the broker")
                await self.engine.place(user_id, request, instrument, market, source)
                closed += 1
            except OrderRejected:
                failed += 1
        message = f"Closed {closed} positions" + (f" (Failed to close {failed} positions)" if failed else "")
        return responses.success(message=message, closed_positions=closed, failed_closures=failed)

    async def reset_capital(self, user_id: int) -> dict:
        await lifecycle.reset_capital(self.engine, user_id)
        return responses.success(message="Sandbox capital reset")

    # --- reads ------------------------------------------------------------------------------

    async def order_status(self, user_id: int, orderid: str) -> dict:
        async with self.db.sessions() as session:
            order = await self._reader(session, user_id).order(orderid)
        if order is None:
            raise OrderRejected(BROKER, f"Order {orderid} not found", 404)
        return responses.order_status(order)

    async def _net_quantity(self, user_id: int, symbol: str, exchange: str, product: str) -> int:
        async with self.db.sessions() as session:
            for position in await self._reader(session, user_id).positions():
                if position.key == (symbol, exchange, product):
                    return position.quantity
        return 0

    async def open_position(self, user_id: int, symbol: str, exchange: str, product: str) -> dict:
        return responses.success(quantity=await self._net_quantity(user_id, symbol, exchange, product))

    async def orderbook(self, user_id: int) -> dict:
        async with self.db.sessions() as session:
            orders = await self._reader(session, user_id).orders(self.session_start())
        return responses.orderbook(orders)

    async def tradebook(self, user_id: int) -> dict:
        async with self.db.sessions() as session:
            trades = await self._reader(session, user_id).trades(self.session_start())
        return responses.tradebook(trades)

    async def positions(self, user_id: int) -> list[PaperPosition]:
        """Open positions plus today's closed ones, marked to the last price seen."""
        today, since = self.now().astimezone(IST).date(), self.session_start()
        async with self.db.sessions() as session:
            rows = await self._reader(session, user_id).positions()
        shown = [p for p in rows if p.quantity or p.today_realized(today)
                 or (p.updated_at is not None and p.updated_at >= since)]
        return await self._marked(user_id, shown)

    async def positionbook(self, user_id: int) -> dict:
        return responses.positionbook(await self.positions(user_id), self.now().astimezone(IST).date())

    async def holdings(self, user_id: int) -> dict:
        async with self.db.sessions() as session:
            rows = await self._reader(session, user_id).holdings()
        await self.engine.source_of(user_id)
        for holding in rows:
            snap = self.engine.mark(user_id, f"{holding.exchange}:{holding.symbol}")
            if snap is not None and snap.ltp > 0:
                holding.ltp = snap.ltp
        return responses.holdings(rows)

    async def funds_state(self, user_id: int) -> tuple[FundsState, int, date]:
        """(balances, unrealised P&L in paise, today) — the account is opened on first use."""
        async with self.db.sessions() as session:
            state = await self._reader(session, user_id).funds()
        if state is None:
            async with self.engine.account(user_id) as account:
                state = account.funds
        unrealized = sum(p.unrealized_paise() for p in await self.positions(user_id))
        return state, unrealized, self.now().astimezone(IST).date()

    async def funds(self, user_id: int) -> dict:
        return responses.funds(*await self.funds_state(user_id))

    async def ledger_totals(self, user_id: int) -> dict[str, int]:
        async with self.db.sessions() as session:
            return await self._reader(session, user_id).ledger_totals()

    # --- market events and daily work --------------------------------------------------------

    async def on_tick(self, tick: Tick, source: str = DEFAULT_SOURCE) -> None:
        await self.engine.on_tick(tick, source)

    def _can_quote(self, market: MarketData | None) -> bool:
        return market is not None or self.markets is not None

    async def start(self, market: MarketData | None = None) -> None:
        """Catch up after downtime: index pending orders, run the daily sweep for every account,
        then evaluate resting orders against current prices (each source quoted by its own client;
        `market` serves every source when no directory is wired)."""
        await self.engine.rebuild_books()
        await self.sweep_all(market)
        await self.poll(market)

    async def sweep_all(self, market: MarketData | None = None) -> None:
        quotes = self.quoting(market) if self._can_quote(market) else None
        user_ids = await self.engine.store.user_ids()
        await self.engine.learn_sources(user_ids)  # one lookup for every account not seen yet
        for user_id in user_ids:
            await lifecycle.sweep(self.engine, user_id, self.quotes_of(user_id, quotes) if quotes else None)

    async def poll(self, market: MarketData | None = None) -> None:
        """The safety poll: resting orders against a fresh quote of their own source."""
        if self._can_quote(market):
            await lifecycle.poll(self.engine, self.quoting(market))

    async def snapshot_all(self) -> None:
        user_ids = await self.engine.store.user_ids()
        await self.engine.learn_sources(user_ids)  # marks are per source
        for user_id in user_ids:
            await lifecycle.snapshot_day(self.engine, user_id)

    async def reset_all(self) -> None:
        for user_id in await self.engine.store.user_ids():
            await lifecycle.reset_capital(self.engine, user_id)

