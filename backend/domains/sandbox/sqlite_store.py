"""The paper store on a SQLite file, with each unit of work in two thread hops.

Through aiosqlite every statement costs several hops between the event loop and aiosqlite's
thread (cursor, execute, fetch, close), ~75 per placed order — most of an order's time. Here one
thread owns one synchronous connection to the same file and runs a whole step of the unit at a
time: `begin` (lock the funds row, load funds, positions and holdings) is one hop, `save` (every
write, then COMMIT) is the second. Order look-ups (modify, cancel, fills) add one hop each.

Correctness is the SQL path's (repository.py): the unit's first statement bumps the funds row's
`version`, which takes SQLite's write lock (other processes wait up to the busy timeout); order
transitions stay conditional on the loaded status; `save` writes everything or rolls back.
Units of one process share the one connection, so they queue on an asyncio lock (SQLite has one
writer at a time anyway). Reads for the API stay on the async engine (WAL: they never block).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, create_engine, delete, event, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from backend.core.clock import utcnow
from backend.core.db import Database
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
from backend.domains.sandbox.repository import PENDING, SqlPaperStore
from brokers.paper.model import Changes, FundsState, LedgerKind, PaperHolding, PaperOrder, PaperPosition
from brokers.paper.store import DuplicateOrderId, StaleOrder

T = TypeVar("T")

FUNDS = SandboxFunds.__table__
ORDERS = SandboxOrder.__table__
POSITIONS = SandboxPosition.__table__
HOLDINGS = SandboxHolding.__table__
LEDGER = SandboxLedger.__table__
TRADES = SandboxTrade.__table__
DAILY = SandboxDailyPnl.__table__

# Built once, values bound at execute time: SQLAlchemy then reuses the compiled form instead of
# coercing every value of every statement (which cost more than SQLite itself).
USER = bindparam("b_user")
LOCK = update(FUNDS).where(FUNDS.c.user_id == USER).values(version=FUNDS.c.version + 1)
LOAD_FUNDS = select(FUNDS).where(FUNDS.c.user_id == USER)
LOAD_POSITIONS = select(POSITIONS).where(POSITIONS.c.user_id == USER)
LOAD_HOLDINGS = select(HOLDINGS).where(HOLDINGS.c.user_id == USER)
LOAD_ORDER = select(ORDERS).where(ORDERS.c.user_id == USER, ORDERS.c.orderid == bindparam("b_orderid"))
LOAD_PENDING = (select(ORDERS).where(ORDERS.c.user_id == USER, ORDERS.c.status.in_(PENDING))
                .order_by(ORDERS.c.id))
ORDER_TRANSITION = update(ORDERS).where(ORDERS.c.user_id == USER, ORDERS.c.orderid == bindparam("b_orderid"),
                                        ORDERS.c.status == bindparam("b_loaded"))
SAVE_FUNDS = update(FUNDS).where(FUNDS.c.user_id == USER)
DELETE_POSITION = delete(POSITIONS).where(POSITIONS.c.user_id == USER, POSITIONS.c.symbol == bindparam("b_symbol"),
                                          POSITIONS.c.exchange == bindparam("b_exchange"),
                                          POSITIONS.c.product == bindparam("b_product"))
DELETE_HOLDING = delete(HOLDINGS).where(HOLDINGS.c.user_id == USER, HOLDINGS.c.symbol == bindparam("b_symbol"),
                                        HOLDINGS.c.exchange == bindparam("b_exchange"))
DELETE_DAILY = delete(DAILY).where(DAILY.c.user_id == USER, DAILY.c.day == bindparam("b_day"))
INSERT = {table.name: insert(table) for table in (ORDERS, TRADES, POSITIONS, HOLDINGS, LEDGER, DAILY)}
UPDATE_BY_ID = {table.name: update(table).where(table.c.id == bindparam("b_id")) for table in (POSITIONS, HOLDINGS)}


def threaded_sqlite_url(db: Database) -> URL | None:
    """The sync URL of the main store when it is a SQLite file (in-memory databases are per
    connection, so they keep the async path)."""
    url = db.engine.url
    if db.engine.dialect.name != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return None
    return url.set(drivername="sqlite+pysqlite")


class SqliteThread:
    """One worker thread and its one connection; `call` runs a function there."""

    def __init__(self, url: URL, busy_timeout_ms: int) -> None:
        self.url, self.busy_timeout_ms = url, busy_timeout_ms
        self._executor: ThreadPoolExecutor | None = None
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        self._guard = threading.Lock()

    def connection(self) -> Connection:
        """The thread's connection (only ever used on that thread)."""
        if self._conn is None:
            engine = create_engine(self.url, poolclass=StaticPool, connect_args={"check_same_thread": False})
            busy = int(self.busy_timeout_ms)

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection, _record) -> None:  # same settings as the async engine's
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute(f"PRAGMA busy_timeout={busy}")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

            self._engine, self._conn = engine, engine.connect()
        return self._conn

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        with self._guard:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="paper-sqlite")
            executor = self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, function, *args)

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._engine.dispose()
            self._conn = self._engine = None

    def close(self) -> None:
        """Close the connection on its thread and end the thread (called when the app's engine is
        disposed); a later `call` starts afresh."""
        with self._guard:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.submit(self._close_connection).result()
            executor.shutdown(wait=True)


class SqliteThreadStore(SqlPaperStore):
    """`SqlPaperStore` whose units run on `SqliteThread` (see module docstring)."""

    def __init__(self, db: Database, url: URL, busy_timeout_ms: int) -> None:
        super().__init__(db)
        self.thread = SqliteThread(url, busy_timeout_ms)
        self._lock = asyncio.Lock()
        # Release the file with the app's engines (tests open and dispose many apps).
        event.listen(db.engine.sync_engine, "engine_disposed", lambda _engine: self.thread.close())

    def unit(self, user_id: int, opening_capital_paise: int) -> AbstractAsyncContextManager[SqliteUnit]:
        return self._threaded_unit(user_id, opening_capital_paise)

    @asynccontextmanager
    async def _threaded_unit(self, user_id: int, opening_capital_paise: int) -> AsyncIterator[SqliteUnit]:
        async with self._lock:
            unit = SqliteUnit(self.thread, user_id)
            await self.thread.call(unit.begin, opening_capital_paise)
            try:
                yield unit
            finally:
                if not unit.finished:
                    await self.thread.call(unit.rollback)


class SqliteUnit:
    """One user's transaction on the thread's connection. Methods named `*_sync` and `begin`,
    `rollback` run on the thread; the async ones are what the engine calls."""

    def __init__(self, thread: SqliteThread, user_id: int) -> None:
        self.thread, self.user_id = thread, user_id
        self.finished = False
        self._funds: FundsState | None = None
        self._positions: dict[tuple, tuple[int, PaperPosition]] = {}  # key -> (row id, position)
        self._holdings: dict[tuple, tuple[int, PaperHolding]] = {}

    # --- on the thread ------------------------------------------------------------------------

    def begin(self, opening_capital_paise: int) -> None:
        conn = self.thread.connection()
        if conn.in_transaction():  # a unit abandoned by a cancelled caller: never build on it
            conn.rollback()
        conn.begin()
        try:
            if not self._lock(conn):
                self._open_account(conn, opening_capital_paise)
                self._lock(conn)
            user = {"b_user": self.user_id}
            self._funds = mapping.funds_of(conn.execute(LOAD_FUNDS, user).one())
            rows = conn.execute(LOAD_POSITIONS, user).all()
            self._positions = {(r.symbol, r.exchange, r.product): (r.id, mapping.position_of(r)) for r in rows}
            rows = conn.execute(LOAD_HOLDINGS, user).all()
            self._holdings = {(r.symbol, r.exchange): (r.id, mapping.holding_of(r)) for r in rows}
        except BaseException:
            conn.rollback()
            self.finished = True
            raise

    def _lock(self, conn: Connection) -> bool:
        return conn.execute(LOCK, {"b_user": self.user_id}).rowcount == 1

    def _open_account(self, conn: Connection, capital_paise: int) -> None:
        result = conn.execute(sqlite_insert(FUNDS).values(
            user_id=self.user_id, cash_paise=capital_paise, order_margin_paise=0, position_margin_paise=0,
            realized_paise=0, today_realized_paise=0, reset_count=0, version=0, created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["user_id"]))
        if result.rowcount == 1:
            conn.execute(insert(LEDGER).values(user_id=self.user_id, kind=str(LedgerKind.CAPITAL),
                                               cash_paise=capital_paise, note="opening capital"))

    def rollback(self) -> None:
        self.finished = True
        self.thread.connection().rollback()

    def _load_order_sync(self, orderid: str) -> PaperOrder | None:
        row = self.thread.connection().execute(LOAD_ORDER, {"b_user": self.user_id, "b_orderid": orderid}).first()
        return mapping.order_of(row) if row else None

    def _load_pending_sync(self) -> list[PaperOrder]:
        rows = self.thread.connection().execute(LOAD_PENDING, {"b_user": self.user_id}).all()
        return [mapping.order_of(row) for row in rows]

    def _save_sync(self, changes: Changes) -> None:
        conn = self.thread.connection()
        self.finished = True
        try:
            self._write(conn, changes)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    def _write(self, conn: Connection, changes: Changes) -> None:
        user = self.user_id
        for order, loaded in changes.updated_orders.values():
            result = conn.execute(ORDER_TRANSITION, {**mapping.order_state(order), "b_user": user,
                                                     "b_orderid": order.orderid, "b_loaded": str(loaded)})
            if result.rowcount != 1:
                raise StaleOrder(order.orderid)
        for order in changes.new_orders:
            try:
                conn.execute(INSERT[ORDERS.name], mapping.order_values(order))
            except IntegrityError as exc:  # the unit is void; the engine retries with a new id
                if "orderid" not in str(exc.orig):
                    raise
                raise DuplicateOrderId(order.orderid) from exc
        if changes.trades:
            conn.execute(INSERT[TRADES.name], [mapping.trade_values(trade) for trade in changes.trades])
        for key in changes.deleted_positions:
            conn.execute(DELETE_POSITION, {"b_user": user, "b_symbol": key[0], "b_exchange": key[1],
                                           "b_product": key[2]})
            self._positions.pop(key, None)
        for key, position in changes.positions.items():
            self._upsert(conn, POSITIONS, self._positions, key, mapping.position_values(position))
        for key in changes.deleted_holdings:
            conn.execute(DELETE_HOLDING, {"b_user": user, "b_symbol": key[0], "b_exchange": key[1]})
            self._holdings.pop(key, None)
        for key, holding in changes.holdings.items():
            self._upsert(conn, HOLDINGS, self._holdings, key, mapping.holding_values(holding))
        if changes.ledger:
            conn.execute(INSERT[LEDGER.name], [mapping.ledger_values(entry) for entry in changes.ledger])
        if changes.funds is not None:
            conn.execute(SAVE_FUNDS, {**mapping.funds_values(changes.funds), "b_user": user})
        if changes.daily is not None:
            conn.execute(DELETE_DAILY, {"b_user": user, "b_day": changes.daily.day})
            conn.execute(INSERT[DAILY.name], {"user_id": user, "day": changes.daily.day,
                                         **mapping.daily_values(changes.daily)})

    @staticmethod
    def _upsert(conn: Connection, table, loaded: dict, key: tuple, values: dict) -> None:
        row = loaded.get(key)
        if row is None:
            result = conn.execute(INSERT[table.name], values)
            loaded[key] = (result.inserted_primary_key[0], None)
        else:
            conn.execute(UPDATE_BY_ID[table.name], {**values, "b_id": row[0]})

    # --- what the engine calls ----------------------------------------------------------------

    async def load_funds(self) -> FundsState:
        return self._funds

    async def load_positions(self) -> list[PaperPosition]:
        return [position for _, position in self._positions.values()]

    async def load_holdings(self) -> list[PaperHolding]:
        return [holding for _, holding in self._holdings.values()]

    async def load_order(self, orderid: str) -> PaperOrder | None:
        return await self.thread.call(self._load_order_sync, orderid)

    async def load_pending_orders(self) -> list[PaperOrder]:
        return await self.thread.call(self._load_pending_sync)

    async def save(self, changes: Changes) -> None:
        """Write and commit in one hop; raises `StaleOrder`/`DuplicateOrderId` after rolling back."""
        await self.thread.call(self._save_sync, changes)


def paper_store(db: Database, busy_timeout_ms: int) -> SqlPaperStore:
    """The fastest correct store for this database."""
    url = threaded_sqlite_url(db)
    return SqlPaperStore(db) if url is None else SqliteThreadStore(db, url, busy_timeout_ms)
