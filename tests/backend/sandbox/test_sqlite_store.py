"""The threaded SQLite store (sqlite_store.py): chosen only for SQLite files, all-or-nothing
units, and its thread and connection released with the app's engine."""

from __future__ import annotations

import pytest

from backend.core.db import Database
from backend.domains.sandbox.repository import SandboxReader, SqlPaperStore
from backend.domains.sandbox.sqlite_store import SqliteThreadStore, paper_store
from brokers.contract import Action, Exchange, OrderRequest, PriceType, Product
from brokers.paper.model import LedgerKind
from tests.conftest import make_settings
from tests.fixtures.sandbox import SBIN, make_sandbox


async def test_sqlite_files_get_the_threaded_store_and_postgres_the_async_one(app):
    store = make_sandbox(app, None).engine.store
    if app.state.db.dialect == "sqlite":
        assert isinstance(store, SqliteThreadStore)
    else:
        assert type(store) is SqlPaperStore


async def test_in_memory_sqlite_keeps_the_async_store(tmp_path):
    db = Database.from_settings(make_settings(tmp_path, database_url="sqlite+aiosqlite:///:memory:"))
    try:
        assert type(paper_store(db, 1000)) is SqlPaperStore
    finally:
        await db.dispose()


async def test_a_failed_unit_leaves_nothing_and_the_next_one_works(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock)
    board.set(SBIN, 800, bid=800, ask=800)
    await sandbox.funds(sandbox_user)  # opens the account
    with pytest.raises(RuntimeError):
        async with sandbox.engine.account(sandbox_user) as account:
            account.post(LedgerKind.ORDER_MARGIN, order_margin=100, note="never committed")
            raise RuntimeError("the unit fails after changing balances")
    async with sandbox.db.sessions() as session:
        reader = SandboxReader(session, sandbox_user)
        funds, totals = await reader.funds(), await reader.ledger_totals()
    assert funds.order_margin_paise == 0 and totals["order_margin_paise"] == 0
    request = OrderRequest("SBIN", Exchange.NSE, Action.BUY, 2, PriceType.MARKET, Product.MIS)
    placed = await sandbox.place_order(sandbox_user, request, SBIN, board)
    assert (await sandbox.order_status(sandbox_user, placed["orderid"]))["data"]["order_status"] == "complete"


async def test_disposing_the_engine_releases_the_thread(tmp_path):
    db = Database.from_settings(make_settings(tmp_path))
    store = paper_store(db, 1000)
    assert isinstance(store, SqliteThreadStore)
    await store.thread.call(store.thread.connection)  # start the thread and open its connection
    assert store.thread._executor is not None and store.thread._conn is not None
    await db.dispose()
    assert store.thread._executor is None and store.thread._conn is None
