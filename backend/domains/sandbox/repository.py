"""SQL for the sandbox: the engine's `PaperStore` on SQLAlchemy, and user-scoped reads.

Serialisation across workers: a unit of work starts with `UPDATE sandbox_funds SET version =
version + 1 WHERE user_id = :u`. On PostgreSQL that takes the row lock until commit, so units of
one user queue behind each other in every process; on SQLite the first write takes the database
write lock (waiting up to the busy timeout), and no read happens before it, so no unit ever acts
on a stale snapshot. Order transitions are conditional (`… WHERE status = :loaded`) on top.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.db import Database, upsert_insert
from backend.domains.sandbox import mapping
from backend.domains.sandbox.models import (
    SandboxDailyPnl,
    SandboxFunds,
    SandboxHolding,
    SandboxLedger,
    SandboxOrder,
    SandboxPosition,
    SandboxTrade,
)
from brokers.paper.model import Changes, FundsState, LedgerKind, PaperHolding, PaperOrder, PaperPosition
from brokers.paper.store import DuplicateOrderId, StaleOrder

PENDING = ("open", "trigger pending")


class SqlPaperStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def unit(self, user_id: int, opening_capital_paise: int) -> AbstractAsyncContextManager[SqlAccountUnit]:
        return self._unit(user_id, opening_capital_paise)

    @asynccontextmanager
    async def _unit(self, user_id: int, opening_capital_paise: int) -> AsyncIterator[SqlAccountUnit]:
        async with self.db.sessions() as session, session.begin():
            if not await self._lock(session, user_id):
                await _open_account(session, user_id, opening_capital_paise)
                await self._lock(session, user_id)
            yield SqlAccountUnit(session, user_id)

    @staticmethod
    async def _lock(session: AsyncSession, user_id: int) -> bool:
        result = await session.execute(update(SandboxFunds).where(SandboxFunds.user_id == user_id)
                                       .values(version=SandboxFunds.version + 1))
        return result.rowcount == 1

    async def pending_orders(self) -> list[PaperOrder]:
        async with self.db.sessions() as session:
            rows = await session.scalars(select(SandboxOrder).where(SandboxOrder.status.in_(PENDING))
                                         .order_by(SandboxOrder.id))
            return [mapping.order_of(row) for row in rows]

    async def user_ids(self) -> list[int]:
        async with self.db.sessions() as session:
            return list(await session.scalars(select(SandboxFunds.user_id).order_by(SandboxFunds.user_id)))


async def _open_account(session: AsyncSession, user_id: int, capital_paise: int) -> None:
    """Create the funds row and its opening ledger entry, unless a concurrent first use just did."""
    insert = upsert_insert(session.bind.dialect.name)
    result = await session.execute(insert(SandboxFunds).values(user_id=user_id, cash_paise=capital_paise,
                                                               order_margin_paise=0, position_margin_paise=0,
                                                               realized_paise=0, today_realized_paise=0,
                                                               reset_count=0, version=0, created_at=utcnow())
                                   .on_conflict_do_nothing(index_elements=["user_id"]))
    if result.rowcount == 1:
        session.add(SandboxLedger(user_id=user_id, kind=str(LedgerKind.CAPITAL), cash_paise=capital_paise,
                                  note="opening capital"))


class SqlAccountUnit:
    """One user's locked transaction (see module docstring)."""

    def __init__(self, session: AsyncSession, user_id: int) -> None:
        self.session, self.user_id = session, user_id
        self._positions: dict[tuple, SandboxPosition] = {}
        self._holdings: dict[tuple, SandboxHolding] = {}

    async def load_funds(self) -> FundsState:
        row = await self.session.get(SandboxFunds, self.user_id, populate_existing=True)
        return mapping.funds_of(row)

    async def load_positions(self) -> list[PaperPosition]:
        rows = await self.session.scalars(select(SandboxPosition).where(SandboxPosition.user_id == self.user_id))
        self._positions = {(r.symbol, r.exchange, r.product): r for r in rows}
        return [mapping.position_of(row) for row in self._positions.values()]

    async def load_holdings(self) -> list[PaperHolding]:
        rows = await self.session.scalars(select(SandboxHolding).where(SandboxHolding.user_id == self.user_id))
        self._holdings = {(r.symbol, r.exchange): r for r in rows}
        return [mapping.holding_of(row) for row in self._holdings.values()]

    async def load_order(self, orderid: str) -> PaperOrder | None:
        row = await self.session.scalar(select(SandboxOrder).where(SandboxOrder.user_id == self.user_id,
                                                                   SandboxOrder.orderid == orderid))
        return mapping.order_of(row) if row else None

    async def load_pending_orders(self) -> list[PaperOrder]:
        rows = await self.session.scalars(select(SandboxOrder).where(SandboxOrder.user_id == self.user_id,
                                                                     SandboxOrder.status.in_(PENDING))
                                          .order_by(SandboxOrder.id))
        return [mapping.order_of(row) for row in rows]

    async def save(self, changes: Changes) -> None:
        session = self.session
        for order, loaded in changes.updated_orders.values():
            result = await session.execute(
                update(SandboxOrder).where(SandboxOrder.user_id == self.user_id, SandboxOrder.orderid == order.orderid,
                                           SandboxOrder.status == str(loaded)).values(**mapping.order_state(order)))
            if result.rowcount != 1:
                raise StaleOrder(order.orderid)
        if changes.new_orders:
            session.add_all([mapping.order_row(order) for order in changes.new_orders])
            try:
                await session.flush()
            except IntegrityError as exc:  # the unit is void; the engine retries with a new id
                if "orderid" not in str(exc.orig):
                    raise
                raise DuplicateOrderId(changes.new_orders[0].orderid) from exc
        session.add_all([mapping.trade_row(trade) for trade in changes.trades])
        for key in changes.deleted_positions:
            await session.execute(delete(SandboxPosition).where(
                SandboxPosition.user_id == self.user_id, SandboxPosition.symbol == key[0],
                SandboxPosition.exchange == key[1], SandboxPosition.product == key[2]))
            self._positions.pop(key, None)
        for key, position in changes.positions.items():
            _upsert(session, self._positions, key, SandboxPosition, mapping.position_values(position))
        for key in changes.deleted_holdings:
            await session.execute(delete(SandboxHolding).where(
                SandboxHolding.user_id == self.user_id, SandboxHolding.symbol == key[0],
                SandboxHolding.exchange == key[1]))
            self._holdings.pop(key, None)
        for key, holding in changes.holdings.items():
            _upsert(session, self._holdings, key, SandboxHolding, mapping.holding_values(holding))
        session.add_all([mapping.ledger_row(entry) for entry in changes.ledger])
        if changes.funds is not None:
            await session.execute(update(SandboxFunds).where(SandboxFunds.user_id == self.user_id)
                                  .values(**mapping.funds_values(changes.funds)))
        if changes.daily is not None:
            await session.execute(delete(SandboxDailyPnl).where(SandboxDailyPnl.user_id == self.user_id,
                                                                SandboxDailyPnl.day == changes.daily.day))
            session.add(SandboxDailyPnl(user_id=self.user_id, day=changes.daily.day,
                                        **mapping.daily_values(changes.daily)))
        await session.flush()


def _upsert(session: AsyncSession, loaded: dict, key: tuple, model, values: dict) -> None:
    row = loaded.get(key)
    if row is None:
        row = model(**values)
        session.add(row)
        loaded[key] = row
        return
    for name, value in values.items():
        setattr(row, name, value)


class SandboxReader:
    """User-scoped reads for the API (no locks: a consistent snapshot of committed state)."""

    def __init__(self, session: AsyncSession, user_id: int) -> None:
        self.session, self.user_id = session, user_id

    async def funds(self) -> FundsState | None:
        row = await self.session.get(SandboxFunds, self.user_id)
        return mapping.funds_of(row) if row else None

    async def order(self, orderid: str) -> PaperOrder | None:
        row = await self.session.scalar(select(SandboxOrder).where(SandboxOrder.user_id == self.user_id,
                                                                   SandboxOrder.orderid == orderid))
        return mapping.order_of(row) if row else None

    async def orders(self, since: datetime) -> list[PaperOrder]:
        """Orders of the current session, plus older ones still pending."""
        rows = await self.session.scalars(
            select(SandboxOrder).where(SandboxOrder.user_id == self.user_id,
                                       (SandboxOrder.created_at >= since) | SandboxOrder.status.in_(PENDING))
            .order_by(SandboxOrder.id.desc()))
        return [mapping.order_of(row) for row in rows]

    async def trades(self, since: datetime):
        rows = await self.session.scalars(select(SandboxTrade).where(SandboxTrade.user_id == self.user_id,
                                                                     SandboxTrade.created_at >= since)
                                          .order_by(SandboxTrade.id.desc()))
        return [mapping.trade_of(row) for row in rows]

    async def all_trades(self):
        rows = await self.session.scalars(select(SandboxTrade).where(SandboxTrade.user_id == self.user_id)
                                          .order_by(SandboxTrade.id))
        return [mapping.trade_of(row) for row in rows]

    async def all_orders(self) -> list[PaperOrder]:
        rows = await self.session.scalars(select(SandboxOrder).where(SandboxOrder.user_id == self.user_id)
                                          .order_by(SandboxOrder.id))
        return [mapping.order_of(row) for row in rows]

    async def positions(self) -> list[PaperPosition]:
        rows = await self.session.scalars(select(SandboxPosition).where(SandboxPosition.user_id == self.user_id)
                                          .order_by(SandboxPosition.id))
        return [mapping.position_of(row) for row in rows]

    async def holdings(self) -> list[PaperHolding]:
        rows = await self.session.scalars(select(SandboxHolding).where(SandboxHolding.user_id == self.user_id)
                                          .order_by(SandboxHolding.id))
        return [mapping.holding_of(row) for row in rows]

    async def ledger_totals(self) -> dict[str, int]:
        """Σ of every ledger column: must equal the funds row."""
        row = (await self.session.execute(select(
            func.coalesce(func.sum(SandboxLedger.cash_paise), 0),
            func.coalesce(func.sum(SandboxLedger.order_margin_paise), 0),
            func.coalesce(func.sum(SandboxLedger.position_margin_paise), 0),
            func.coalesce(func.sum(SandboxLedger.realized_paise), 0),
            func.count()).where(SandboxLedger.user_id == self.user_id))).one()
        return {"cash_paise": int(row[0]), "order_margin_paise": int(row[1]), "position_margin_paise": int(row[2]),
                "realized_paise": int(row[3]), "entries": int(row[4])}

    async def daily_pnl(self):
        rows = await self.session.scalars(select(SandboxDailyPnl).where(SandboxDailyPnl.user_id == self.user_id)
                                          .order_by(SandboxDailyPnl.day))
        return [mapping.daily_of(row) for row in rows]
