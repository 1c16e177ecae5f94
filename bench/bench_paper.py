"""Tick-to-fill benchmark for the paper engine (issue 6).

    uv run python -m bench.bench_paper [--orders 50000] [--instruments 1000] [--ticks 20000]

Rests N orders across M instruments (buy/sell limits and stops around each price), then times
`PaperEngine.on_tick` for one instrument:
- ticks that cross nothing (the common case: the book lookup alone);
- ticks that cross and fill one order (book + a unit of work on the in-memory store);
and repeats the no-cross measurement at other book sizes to show the cost does not grow with the
total number of resting orders. Finally times one tick-to-committed-fill on SQLite, and a MARKET
placement on SQLite through each store (aiosqlite ORM vs the threaded store the app uses).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from brokers.contract import (
    Action,
    Depth,
    Exchange,
    FeedMode,
    Instrument,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    Quote,
    Tick,
)
from brokers.paper.calendar import IST, AlwaysOpenCalendar
from brokers.paper.engine import PaperEngine
from brokers.paper.model import ContractSpec, FundsState, PaperOrder
from brokers.paper.store import InMemoryStore

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=IST)
BASE = Decimal(1000)
TICK = Decimal("0.05")


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def seed(engine: PaperEngine, store: InMemoryStore, orders: int, instruments: int, users: int, rng: random.Random):
    """Rest `orders` orders directly (placement cost is not what this measures)."""
    contracts = [ContractSpec(f"SYM{i:04d}", Exchange.NSE) for i in range(instruments)]
    for user in range(users):
        store.funds[user] = FundsState(user, cash_paise=10**12)
    for n in range(orders):
        contract = contracts[n % instruments]
        kind = n % 4
        offset = Decimal(rng.randint(20, 400)) * TICK  # 1 to 20 rupees away from the price
        action = Action.BUY if kind in (0, 2) else Action.SELL
        if kind == 0:
            pricetype, price, trigger = PriceType.LIMIT, BASE - offset, Decimal(0)
        elif kind == 1:
            pricetype, price, trigger = PriceType.LIMIT, BASE + offset, Decimal(0)
        elif kind == 2:
            pricetype, price, trigger = PriceType.SL_M, Decimal(0), BASE + offset
        else:
            pricetype, price, trigger = PriceType.SL_M, Decimal(0), BASE - offset
        order = PaperOrder(f"{n:014d}", n % users, contract, action, 1, pricetype, Product.MIS, price, trigger, "bench",
                           OrderStatus.OPEN if pricetype == PriceType.LIMIT else OrderStatus.TRIGGER_PENDING, NOW, NOW)
        store.orders[order.orderid] = order
        engine.books.add(order)
    return contracts


async def time_ticks(engine: PaperEngine, contracts, ticks: int, rng: random.Random, cross: bool) -> list[float]:
    samples, store = [], engine.store
    for n in range(ticks):
        contract = rng.choice(contracts)
        ltp = float(BASE + Decimal(rng.randint(-19, 19)) * TICK)
        if cross:  # rest a buy limit just above the others (untimed), then trade through it
            order = PaperOrder(f"X{n:013d}", n % 200, contract, Action.BUY, 1, PriceType.LIMIT, Product.MIS,
                               BASE - TICK, Decimal(0), "bench", OrderStatus.OPEN, NOW, NOW)
            store.orders[order.orderid] = order
            engine.books.add(order)
            ltp = float(BASE - 2 * TICK)
        tick = Tick("NSE", contract.symbol, FeedMode.LTP, ltp, 0)
        start = time.perf_counter()
        changed = await engine.on_tick(tick)
        samples.append((time.perf_counter() - start) * 1e6)
        assert not cross or len(changed) == 1
    return samples


def report(label: str, samples: list[float]) -> None:
    print(f"  {label:<46} p50 {percentile(samples, 50):8.1f} µs   p99 {percentile(samples, 99):8.1f} µs   "
          f"mean {statistics.fmean(samples):8.1f} µs   (n={len(samples)})")


async def in_memory(orders: int, instruments: int, ticks: int) -> None:
    rng = random.Random(6)
    store = InMemoryStore()
    engine = PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=lambda: NOW)
    start = time.perf_counter()
    contracts = seed(engine, store, orders, instruments, users=200, rng=rng)
    print(f"rested {len(engine.books):,} orders across {instruments:,} instruments in "
          f"{time.perf_counter() - start:.2f} s")
    await time_ticks(engine, contracts, 500, rng, cross=False)  # warm up
    report("tick, crosses nothing", await time_ticks(engine, contracts, ticks, rng, cross=False))
    report("tick, fills the order it crosses", await time_ticks(engine, contracts, min(ticks, 2000), rng, cross=True))
    print(f"  resting after the fills: {len(engine.books):,}")


async def scaling(ticks: int) -> None:
    print("no-cross tick cost against total resting orders (20 instruments hold the ticked books):")
    for total in (1_000, 10_000, 50_000, 200_000):
        rng = random.Random(7)
        store = InMemoryStore()
        engine = PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=lambda: NOW)
        contracts = seed(engine, store, total, max(total // 50, 20), users=200, rng=rng)
        samples = await time_ticks(engine, contracts[:20], ticks, rng, cross=False)
        report(f"{total:>7,} resting", samples)


async def sqlite_fill() -> None:
    """Tick to committed fill on SQLite (the database round trip, for scale)."""
    from backend.core.db import Database
    from backend.core.migrate import upgrade
    from backend.core.settings import Settings
    from backend.domains.accounts.models import User
    from backend.domains.sandbox.sqlite_store import paper_store

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, app_key="k" * 40, api_key_pepper="p" * 40, data_dir=Path(tmp),
                            environment="test")
        db = Database.from_settings(settings)
        await upgrade(db)
        async with db.sessions() as session:
            session.add(User(username="bench", password_hash="!"))
            await session.commit()
        store = paper_store(db, settings.sqlite_busy_timeout_ms)
        engine = PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=lambda: NOW)
        contract = ContractSpec("SYM0000", Exchange.NSE)
        samples = []
        for n in range(300):
            order = PaperOrder("", 1, contract, Action.BUY, 1, PriceType.LIMIT, Product.MIS, BASE, Decimal(0), "bench",
                               OrderStatus.OPEN, NOW, NOW)

            async def rest(account, order=order):
                account.record_new(order)

            await engine._with_new_id(order, rest)
            engine.books.add(order)
            start = time.perf_counter()
            filled = await engine.on_tick(Tick("NSE", contract.symbol, FeedMode.LTP, float(BASE - TICK), 0))
            samples.append((time.perf_counter() - start) * 1e6)
            assert len(filled) == 1, n
        report("SQLite: tick → fill committed", samples)
        await db.dispose()


class FixedMarket:
    async def quote(self, instrument):
        return Quote(ltp=1000.0, bid=999.95, ask=1000.05)

    async def depth(self, instrument):
        return Depth(quote=await self.quote(instrument))


async def sqlite_place(orders: int = 1500) -> None:
    """A MARKET order placed and filled on SQLite, per store: the aiosqlite ORM store and the
    threaded one the app uses for SQLite files (same run, same database kind)."""
    from backend.core.db import Database
    from backend.core.migrate import upgrade
    from backend.core.settings import Settings
    from backend.domains.accounts.models import User
    from backend.domains.sandbox.repository import SqlPaperStore
    from backend.domains.sandbox.sqlite_store import paper_store

    instrument = Instrument(symbol="SBIN", brsymbol="SBIN", name="SBIN", exchange=Exchange.NSE, brexchange="NSE",
                            token="1")
    for label in ("aiosqlite ORM store", "threaded SQLite store"):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(_env_file=None, app_key="k" * 40, api_key_pepper="p" * 40, data_dir=Path(tmp),
                                environment="test")
            db = Database.from_settings(settings)
            await upgrade(db)
            async with db.sessions() as session:
                session.add(User(username="bench", password_hash="!"))
                await session.commit()
            store = SqlPaperStore(db) if label.startswith("aiosqlite") else paper_store(db, 5000)
            engine = PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=lambda: NOW)
            samples, cpu = [], time.process_time()
            for n in range(orders):
                request = OrderRequest("SBIN", Exchange.NSE, Action.BUY if n % 2 else Action.SELL, 1,
                                       PriceType.MARKET, Product.MIS)
                start = time.perf_counter()
                await engine.place(1, request, instrument, FixedMarket())
                samples.append((time.perf_counter() - start) * 1e6)
            cpu_ms = (time.process_time() - cpu) * 1000 / orders
            report(f"SQLite: place + fill, {label}", samples[100:])
            print(f"  {'':<46} process CPU {cpu_ms:.3f} ms per order")
            await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--instruments", type=int, default=1_000)
    parser.add_argument("--ticks", type=int, default=20_000)
    args = parser.parse_args()
    await in_memory(args.orders, args.instruments, args.ticks)
    await scaling(min(args.ticks, 5_000))
    await sqlite_fill()
    await sqlite_place()


if __name__ == "__main__":
    asyncio.run(main())
