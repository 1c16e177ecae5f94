"""The storage the engine needs, as a protocol, and an in-memory implementation (tests, bench,
single-process demos). The SQL implementation is backend/domains/sandbox/repository.py.

A unit of work belongs to one user: the store guarantees that while it is open no other unit of
the same user (in any process) runs, and that everything in `Changes` persists atomically or not
at all when the unit exits.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date
from typing import Protocol

from brokers.paper.model import (
    PENDING_STATUSES,
    Changes,
    DailyPnl,
    FundsState,
    LedgerEntry,
    LedgerKind,
    PaperHolding,
    PaperOrder,
    PaperPosition,
    PaperTrade,
)


class StaleOrder(Exception):
    """An order changed status under us (another worker acted on it first): the unit is void."""


class DuplicateOrderId(Exception):
    """Another worker issued the same order id in the same millisecond: retry with a new id."""


class AccountUnit(Protocol):
    async def load_funds(self) -> FundsState: ...

    async def load_positions(self) -> list[PaperPosition]: ...

    async def load_holdings(self) -> list[PaperHolding]: ...

    async def load_order(self, orderid: str) -> PaperOrder | None: ...

    async def load_pending_orders(self) -> list[PaperOrder]: ...

    async def save(self, changes: Changes) -> None:
        """Persist; raise `StaleOrder` if an updated order no longer has its loaded status,
        `DuplicateOrderId` on an id collision."""
        ...


class PaperStore(Protocol):
    def unit(self, user_id: int, opening_capital_paise: int) -> AbstractAsyncContextManager[AccountUnit]:
        """Open the user's serialised unit of work, creating the funds row (and its opening
        `capital` ledger entry) on first use."""
        ...

    async def pending_orders(self) -> list[PaperOrder]:
        """Every user's open and trigger-pending orders (rebuilding books, safety poll)."""
        ...

    async def user_ids(self) -> list[int]:
        """Users with a paper account (daily jobs)."""
        ...


class InMemoryStore:
    """A complete `PaperStore` in dictionaries; units work on copies (every field is immutable, so
    shallow copies suffice) and swap them back on success."""

    def __init__(self) -> None:
        self.funds: dict[int, FundsState] = {}
        self.orders: dict[str, PaperOrder] = {}
        self.trades: list[PaperTrade] = []
        self.positions: dict[int, dict[tuple, PaperPosition]] = {}
        self.holdings: dict[int, dict[tuple, PaperHolding]] = {}
        self.ledger: list[LedgerEntry] = []
        self.daily: dict[tuple[int, date], DailyPnl] = {}

    def unit(self, user_id: int, opening_capital_paise: int) -> AbstractAsyncContextManager[AccountUnit]:
        return self._unit(user_id, opening_capital_paise)

    @asynccontextmanager
    async def _unit(self, user_id: int, opening_capital_paise: int) -> AsyncIterator[AccountUnit]:
        if user_id not in self.funds:
            self.funds[user_id] = FundsState(user_id, cash_paise=opening_capital_paise)
            self.ledger.append(LedgerEntry(user_id, LedgerKind.CAPITAL, cash_paise=opening_capital_paise,
                                           note="opening capital"))
        unit = _MemoryUnit(self, user_id)
        yield unit
        unit.apply()

    async def pending_orders(self) -> list[PaperOrder]:
        return [copy.copy(o) for o in self.orders.values() if o.status in PENDING_STATUSES]

    async def user_ids(self) -> list[int]:
        return sorted(self.funds)


class _MemoryUnit:
    def __init__(self, store: InMemoryStore, user_id: int) -> None:
        self.store, self.user_id = store, user_id
        self.pending: Changes | None = None

    async def load_funds(self) -> FundsState:
        return copy.copy(self.store.funds[self.user_id])

    async def load_positions(self) -> list[PaperPosition]:
        return [copy.copy(p) for p in self.store.positions.get(self.user_id, {}).values()]

    async def load_holdings(self) -> list[PaperHolding]:
        return [copy.copy(h) for h in self.store.holdings.get(self.user_id, {}).values()]

    async def load_order(self, orderid: str) -> PaperOrder | None:
        order = self.store.orders.get(orderid)
        return copy.copy(order) if order and order.user_id == self.user_id else None

    async def load_pending_orders(self) -> list[PaperOrder]:
        return [copy.copy(o) for o in self.store.orders.values()
                if o.user_id == self.user_id and o.status in PENDING_STATUSES]

    async def save(self, changes: Changes) -> None:
        for order, loaded in changes.updated_orders.values():
            current = self.store.orders.get(order.orderid)
            if current is None or current.status != loaded:
                raise StaleOrder(order.orderid)
        for order in changes.new_orders:
            if order.orderid in self.store.orders:
                raise DuplicateOrderId(order.orderid)
        self.pending = changes

    def apply(self) -> None:
        changes, store = self.pending, self.store
        if changes is None:
            return
        for order in changes.new_orders:
            store.orders[order.orderid] = copy.copy(order)
        for order, _ in changes.updated_orders.values():
            store.orders[order.orderid] = copy.copy(order)
        store.trades.extend(copy.copy(trade) for trade in changes.trades)
        positions = store.positions.setdefault(self.user_id, {})
        for key in changes.deleted_positions:
            positions.pop(key, None)
        positions.update({k: copy.copy(v) for k, v in changes.positions.items()})
        holdings = store.holdings.setdefault(self.user_id, {})
        for key in changes.deleted_holdings:
            holdings.pop(key, None)
        holdings.update({k: copy.copy(v) for k, v in changes.holdings.items()})
        store.ledger.extend(copy.copy(entry) for entry in changes.ledger)
        if changes.funds is not None:
            store.funds[self.user_id] = copy.copy(changes.funds)
        if changes.daily is not None:
            store.daily[(self.user_id, changes.daily.day)] = copy.copy(changes.daily)
