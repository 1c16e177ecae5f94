"""The paper-matching engine: the single engine behind analyzer mode and the simulator broker.

Every state change runs in a per-user unit of work (`_account`): an asyncio lock per user in this
process plus the store's cross-process guard, one transaction, all or nothing. Resting orders live
in price-indexed books (`book.RestingBooks`), so `on_tick` touches only orders the tick crosses.

Each account follows one market source (`book.DEFAULT_SOURCE`, the simulator, unless told
otherwise): placement says which, and `locate` answers for accounts this process has not seen
(orders another worker placed, a restart). Books and last prices (`marks`) are kept per source, so
one source's ticks never fill, trigger or mark an account that follows another.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from brokers.contract import (
    Depth,
    Instrument,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Quote,
    Tick,
)
from brokers.paper import placement
from brokers.paper.account import Account
from brokers.paper.book import DEFAULT_SOURCE, BookKey, RestingBooks
from brokers.paper.calendar import IST, ExchangeCalendar
from brokers.paper.config import PaperConfig
from brokers.paper.ids import OrderIds
from brokers.paper.model import ContractSpec, PaperOrder
from brokers.paper.pricing import Decision, MarketSnapshot, decide_resting, decide_taker
from brokers.paper.store import DuplicateOrderId, PaperStore, StaleOrder
from brokers.paper.validation import (
    Rejection,
    check_modification,
    check_price_band,
    check_segment,
    check_terms,
    normalise,
)

log = logging.getLogger("algogate.paper")
BROKER = "sandbox"
ID_ATTEMPTS = 5


class MarketData(Protocol):
    """The part of a `DataClient` the engine uses."""

    async def quote(self, instrument: Instrument) -> Quote: ...

    async def depth(self, instrument: Instrument) -> Depth: ...


OrderListener = Callable[[PaperOrder], Awaitable[None] | None]
# Given user ids, the market source each account follows.
SourceLocator = Callable[[Collection[int]], Awaitable[dict[int, str]]]


def rejected(message: str, status: int = 400, orderid: str | None = None) -> OrderRejected:
    return OrderRejected(BROKER, message, status, orderid=orderid)


class PaperEngine:
    def __init__(self, store: PaperStore, *, config: PaperConfig | None = None,
                 calendar: ExchangeCalendar | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.config = config or PaperConfig()
        self.calendar = calendar or ExchangeCalendar()
        self.clock = clock or (lambda: datetime.now(IST))
        self.books = RestingBooks()
        self.marks: dict[BookKey, MarketSnapshot] = {}  # last market seen per book (MTM, square-off)
        self.sources: dict[int, str] = {}  # user id → the market source the account follows
        self.locate: SourceLocator | None = None
        self.ids = OrderIds()
        self.listeners: list[OrderListener] = []
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._contracts: dict[str, ContractSpec] = {}
        self._inflight: set[asyncio.Task] = set()

    async def _complete(self, work: Awaitable):
        """Run a unit of work to its end (commit or rollback) even if the caller is cancelled, so
        a dropped request never leaves an order half-placed or a connection holding a lock."""
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieve, never log twice
            raise

    async def drain(self) -> None:
        """Wait for units of work whose callers went away (shutdown, tests)."""
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    # --- units of work ----------------------------------------------------------------------

    @asynccontextmanager
    async def account(self, user_id: int) -> AsyncIterator[Account]:
        """The user's serialised unit of work; its changes persist only if the block succeeds."""
        async with self._locks[user_id]:
            async with self.store.unit(user_id, self.config.starting_capital_paise) as unit:
                account = Account(await unit.load_funds(), await unit.load_positions(), await unit.load_holdings(),
                                  self.config, self.clock(), unit)
                yield account
                await unit.save(account.changes)

    async def notify(self, orders: list[PaperOrder]) -> None:
        for order in orders:
            for listener in self.listeners:
                try:
                    result = listener(order)
                    if result is not None:
                        await result
                except Exception:  # a listener never breaks trading
                    log.exception("order listener failed for %s", order.orderid)

    def _index(self, orders: list[PaperOrder]) -> None:
        for order in orders:
            if order.pending:
                self.books.add(order, self.source(order.user_id))
                self._contracts[order.contract.key] = order.contract
            else:
                self.books.remove(order.orderid)

    def resting_contracts(self) -> list[tuple[str, ContractSpec]]:
        """(market source, instrument) pairs that have resting orders (for the feed and the safety poll)."""
        return [(source, self._contracts[key]) for source, key in self.books.keys() if key in self._contracts]

    # --- market sources ---------------------------------------------------------------------

    def source(self, user_id: int) -> str:
        """The market source the account follows, as far as this process knows."""
        return self.sources.get(user_id, DEFAULT_SOURCE)

    def set_source(self, user_id: int, source: str) -> None:
        """Follow `source` from now on; the account's resting orders move to that source's books."""
        if self.source(user_id) != source:
            self.books.move_user(user_id, source)
        self.sources[user_id] = source

    async def learn_sources(self, user_ids: Collection[int], *, refresh: bool = False) -> None:
        """Ask `locate` for the accounts not known yet (every one of them with `refresh`)."""
        wanted = set(user_ids) if refresh else {user_id for user_id in user_ids if user_id not in self.sources}
        if wanted and self.locate is not None:
            for user_id, source in (await self.locate(wanted)).items():
                self.set_source(user_id, source)

    async def source_of(self, user_id: int) -> str:
        await self.learn_sources((user_id,))
        return self.source(user_id)

    def mark(self, user_id: int, key: str) -> MarketSnapshot | None:
        """The last market seen for "EXCHANGE:SYMBOL" on the account's source."""
        return self.marks.get((self.source(user_id), key))

    # --- market data ------------------------------------------------------------------------

    async def snapshot(self, instrument: Instrument, market: MarketData | None, source: str, *,
                       depth: bool) -> MarketSnapshot | None:
        key = (source, f"{instrument.exchange}:{instrument.symbol}")
        if market is None:
            return self.marks.get(key)
        try:
            if depth:
                book = await market.depth(instrument)
                snap = MarketSnapshot.of_quote(book.quote, book)
            else:
                snap = MarketSnapshot.of_quote(await market.quote(instrument))
        except Exception as exc:  # no quote: MARKET orders are refused, others rest
            log.warning("no quote for %s:%s (%s)", instrument.exchange, instrument.symbol, exc)
            return self.marks.get(key)
        if snap.ltp > 0:
            self.marks[key] = snap
            return snap
        return None

    # --- placement --------------------------------------------------------------------------

    async def place(self, user_id: int, request: OrderRequest, instrument: Instrument,
                    market: MarketData | None, source: str | None = None) -> PaperOrder:
        """`market` quotes the placement; `source` names the feed that moves the order afterwards
        (None: the account's known source)."""
        return await self._complete(self._place(user_id, request, instrument, market, source))

    async def place_smart(self, user_id: int, request: OrderRequest, position_size: int, instrument: Instrument,
                          market: MarketData | None, source: str | None = None) -> PaperOrder:
        """Trade whatever moves the same-product position to `position_size`, decided inside the
        user's unit of work (two smart orders never both act on the same stale position).
        Raises `NoActionNeeded` when it already matches."""
        return await self._complete(self._place(user_id, request, instrument, market, source, int(position_size)))

    async def _follow(self, user_id: int, source: str | None) -> str:
        if source is None:
            return await self.source_of(user_id)
        self.set_source(user_id, source)
        return source

    async def _place(self, user_id: int, request: OrderRequest, instrument: Instrument,
                     market: MarketData | None, source: str | None, target: int | None = None) -> PaperOrder:
        source = await self._follow(user_id, source)
        now = self.clock()
        contract = ContractSpec.of(instrument)
        terms = normalise(request)
        order = PaperOrder("", user_id, contract, terms.action, terms.quantity, terms.pricetype, terms.product,
                           terms.price, terms.trigger_price, terms.strategy, OrderStatus.OPEN, now, now)
        try:
            check_segment(contract, terms.product)
            if target is None:  # a smart order's side and size are known only inside the unit
                check_terms(terms, contract)
            if self.calendar.honours_sessions and not self.calendar.is_open(contract.exchange, now):
                raise Rejection(f"Market is closed for {contract.exchange}. Orders are accepted during market hours.")
            snap = await self.snapshot(instrument, market, source,
                                       depth=terms.pricetype in (PriceType.MARKET, PriceType.LIMIT))
            if snap is None and terms.pricetype == PriceType.MARKET:
                raise Rejection(f"Unable to fetch a quote for {contract.symbol}; MARKET order not placed")
            if snap is not None:
                check_price_band(terms, contract, snap.ltp, self.config)
            await self._with_new_id(order, lambda account: placement.accept(account, order, snap, self.calendar, target))
        except Rejection as rejection:
            await self._record_rejection(order, rejection.message)
            raise rejected(rejection.message, rejection.status, order.orderid) from None
        self._index([order])
        await self.notify([order])
        return order

    async def _with_new_id(self, order: PaperOrder, operation: Callable[[Account], Awaitable[None]]) -> None:
        for attempt in range(ID_ATTEMPTS):
            order.orderid = self.ids.next(self.clock(), jitter=attempt > 0)
            try:
                async with self.account(order.user_id) as account:
                    await operation(account)
                return
            except DuplicateOrderId:
                continue
        raise Rejection("Could not allocate a unique order id; try again", 500)

    async def _record_rejection(self, order: PaperOrder, reason: str) -> None:
        order.status, order.reason = OrderStatus.REJECTED, reason
        order.margin_paise, order.triggered = 0, False
        try:
            await self._with_new_id(order, self._insert_only(order))
        except Exception:
            log.exception("could not record rejected order for user %s", order.user_id)
            return
        await self.notify([order])

    @staticmethod
    def _insert_only(order: PaperOrder) -> Callable[[Account], Awaitable[None]]:
        async def insert(account: Account) -> None:
            account.record_new(order)
        return insert

    # --- modify and cancel ------------------------------------------------------------------

    async def _load_pending(self, account: Account, orderid: str, verb: str) -> PaperOrder:
        order = await account.order(orderid)
        if order is None:
            raise rejected(f"Order {orderid} not found", 404)
        if not order.pending:
            raise rejected(f"Cannot {verb} order in {order.status} status")
        return order

    async def modify(self, user_id: int, orderid: str, request: OrderRequest, instrument: Instrument | None = None,
                     market: MarketData | None = None, source: str | None = None) -> PaperOrder:
        """Change quantity, price or trigger of a pending order; its margin is re-blocked at the new
        terms and the order re-evaluated against the market."""
        return await self._complete(self._modify(user_id, orderid, request, instrument, market, source))

    async def _modify(self, user_id: int, orderid: str, request: OrderRequest, instrument: Instrument | None,
                      market: MarketData | None, source: str | None) -> PaperOrder:
        source = await self._follow(user_id, source)
        snap = await self.snapshot(instrument, market, source, depth=True) if instrument is not None else None
        async with self.account(user_id) as account:
            order = await self._load_pending(account, orderid, "modify")
            loaded = order.status
            pricetype = PriceType(request.pricetype) if request.pricetype else order.pricetype
            try:
                check_modification(pricetype, Decimal(request.price or 0), Decimal(request.trigger_price or 0))
                terms = normalise(OrderRequest(order.contract.symbol, order.contract.exchange, order.action,
                                               int(request.quantity or order.quantity), pricetype, order.product,
                                               Decimal(request.price or 0), Decimal(request.trigger_price or 0)))
                check_terms(terms, order.contract)
                if snap is not None:
                    check_price_band(terms, order.contract, snap.ltp, self.config)
                account.release_order_margin(order, "modified")
                order.quantity, order.pricetype = terms.quantity, terms.pricetype
                order.price, order.trigger_price = terms.price, terms.trigger_price
                if pricetype in (PriceType.SL, PriceType.SL_M) and not order.triggered:
                    order.status = OrderStatus.TRIGGER_PENDING
                elif pricetype in (PriceType.MARKET, PriceType.LIMIT):
                    order.triggered, order.status = False, OrderStatus.OPEN
                decision = decide_taker(order, snap) if snap is not None else Decision()
                account.block_order_margin(order, account.incremental_margin(order, placement.margin_price(order, decision)))
                if decision.trigger:
                    order.triggered, order.status = True, OrderStatus.OPEN
                account.record_update(order, loaded)
                if decision.fill_price is not None:
                    account.fill(order, decision.fill_price)
            except Rejection as rejection:
                raise rejected(rejection.message, rejection.status, orderid) from None
        self.books.remove(orderid)
        self._index([order])
        await self.notify([order])
        return order

    async def cancel(self, user_id: int, orderid: str, reason: str = "Cancelled by user") -> PaperOrder:
        return await self._complete(self._cancel(user_id, orderid, reason))

    async def _cancel(self, user_id: int, orderid: str, reason: str) -> PaperOrder:
        async with self.account(user_id) as account:
            order = await self._load_pending(account, orderid, "cancel")
            self.cancel_in(account, order, reason)
        self.books.remove(orderid)
        await self.notify([order])
        return order

    @staticmethod
    def cancel_in(account: Account, order: PaperOrder, reason: str) -> None:
        loaded = order.status
        account.release_order_margin(order, "cancelled")
        order.status, order.reason = OrderStatus.CANCELLED, reason
        account.record_update(order, loaded)

    async def cancel_all(self, user_id: int) -> list[PaperOrder]:
        """Cancel every open and trigger-pending order of the user, from any session."""
        return await self._complete(self._cancel_all(user_id))

    async def _cancel_all(self, user_id: int) -> list[PaperOrder]:
        async with self.account(user_id) as account:
            orders = await account.pending_orders()
            for order in orders:
                self.cancel_in(account, order, "Cancelled by user")
        for order in orders:
            self.books.remove(order.orderid)
        await self.notify(orders)
        return orders

    # --- market events ----------------------------------------------------------------------

    async def on_tick(self, tick: Tick, source: str = DEFAULT_SOURCE) -> list[PaperOrder]:
        """Evaluate the orders of `source` a tick crosses (entry point for the streaming hub)."""
        return await self.on_market(source, f"{tick.exchange}:{tick.symbol}", MarketSnapshot.of_tick(tick))

    async def on_market(self, source: str, key: str, snap: MarketSnapshot) -> list[PaperOrder]:
        """A fresh market for "EXCHANGE:SYMBOL" on `source` (a tick, or the safety poll's quote)."""
        if snap.ltp <= 0:
            return []
        self.marks[(source, key)] = snap
        entries = self.books.crossing((source, key), snap.ltp, snap.bid, snap.ask)
        if not entries:
            return []
        return await self.evaluate(entries, snap)

    async def evaluate(self, entries, snap: MarketSnapshot) -> list[PaperOrder]:
        changed: list[PaperOrder] = []
        for entry in entries:
            order = await self._complete(self._act(entry.user_id, entry.orderid, snap))
            if order is not None:
                changed.append(order)
        await self.notify(changed)
        return changed

    async def _act(self, user_id: int, orderid: str, snap: MarketSnapshot) -> PaperOrder | None:
        """One resting order against the market: trigger, fill, or put it back in the book."""
        try:
            async with self.account(user_id) as account:
                order = await account.order(orderid)
                if order is None or not order.pending:
                    return None
                loaded = order.status
                decision = decide_resting(order, snap, self.config.limit_fill_on_touch)
                if decision.trigger:
                    order.triggered, order.status = True, OrderStatus.OPEN
                    account.record_update(order, loaded)
                if decision.fill_price is not None:
                    account.fill(order, decision.fill_price)
        except Rejection as rejection:  # e.g. funds short when a stop triggers: the RMS rejects it
            return await self._reject_resting(user_id, orderid, rejection.message)
        except StaleOrder:
            return None  # another worker acted first
        self._index([order])
        return order if (decision.trigger or decision.fill_price is not None) else None

    async def _reject_resting(self, user_id: int, orderid: str, reason: str) -> PaperOrder | None:
        async with self.account(user_id) as account:
            order = await account.order(orderid)
            if order is None or not order.pending:
                return None
            loaded = order.status
            account.release_order_margin(order, "rejected")
            order.status, order.reason = OrderStatus.REJECTED, reason
            account.record_update(order, loaded)
        self.books.remove(orderid)
        return order

    async def rebuild_books(self) -> int:
        """Index every pending order from the store (start-up, and orders placed by other workers)."""
        pending = await self.store.pending_orders()
        fresh = [order for order in pending if order.orderid not in self.books]
        await self.learn_sources({order.user_id for order in fresh})  # before indexing: the right books
        self._index(fresh)
        return len(pending)
