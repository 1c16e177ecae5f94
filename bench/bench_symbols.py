"""Instrument-master benchmark: build and load a 100,000-instrument master, search latency, memory.

    uv run python -m bench.bench_symbols

Figures: universe generation, index build (to memory), SQLite (re)write through the repository's
fast path, search p50/p99 over typical queries, and the index's memory (tracemalloc, excluding the
instrument objects themselves, which the generator owns, and including them).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import tempfile
import time
import tracemalloc
from datetime import date
from itertools import islice
from pathlib import Path

from brokers.contract.table import InstrumentTable

TARGET = 100_000
QUERIES = ["SBIN", "reliance", "NIFTY", "nifty 26000", "banknifty ce", "tata", "infy dec", "HDFC", "crude",
           "USDINR", "state bank", "NIFTY29DEC2626000CE", "26000", "bajaj", "sensex 85000 pe", "mrf", "adani",
           "icici", "midcpnifty", "gold"]


def build_instruments():
    import brokers.simulator.universe as universe

    universe.STOCK_STRIKES_EACH_SIDE = 35  # widen stock option chains to reach 100,000 rows
    started = time.perf_counter()
    table = universe.build_universe(7, date(2026, 11, 27))
    rows = InstrumentTable(islice(table, TARGET))  # the first 100,000 rows, still as columns
    return rows, time.perf_counter() - started


async def sqlite_write(instruments) -> float:
    from backend.core.db import Database
    from backend.core.migrate import upgrade
    from backend.core.settings import Settings
    from backend.domains.symbols.service import SymbolMaster

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, app_key="k" * 40, api_key_pepper="p" * 40, data_dir=Path(tmp))
        db = Database.from_settings(settings)
        await upgrade(db)
        master = SymbolMaster("bench", db)
        started = time.perf_counter()
        await master.persist(instruments)
        first = time.perf_counter() - started
        started = time.perf_counter()
        await master.persist(instruments)  # a re-download: new version written, old deleted
        again = time.perf_counter() - started
        started = time.perf_counter()
        reader = SymbolMaster("bench", db)
        await reader.load_from_db()
        load = time.perf_counter() - started
        await db.dispose()
    return first, again, load


def main() -> None:
    from backend.domains.symbols.index import SymbolIndex
    from backend.domains.symbols.service import validate

    instruments, generated = build_instruments()
    print(f"instruments: {len(instruments)} generated in {generated:.2f} s")

    started = time.perf_counter()
    good, errors = validate(instruments)
    validated = time.perf_counter() - started
    good = InstrumentTable(good)  # as a master is held (the index would convert a list itself)
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = SymbolIndex(good)
    index.prepare_search()
    index_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    gc.collect()
    started = time.perf_counter()
    index = SymbolIndex(good)
    lookups_ready = time.perf_counter() - started
    index.prepare_search()
    built = time.perf_counter() - started
    print(f"validate: {validated:.2f} s ({len(errors)} skipped); index build (to memory): symbol/token lookups ready in "
          f"{lookups_ready:.2f} s, with expiries, chains and search structures {built:.2f} s")

    tracemalloc.start()
    copy, _ = build_instruments()
    objects_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del copy
    print(f"index memory: {index_bytes / 1e6:.1f} MB structures + {objects_bytes / 1e6:.1f} MB instrument "
          f"table (columns) = {(index_bytes + objects_bytes) / 1e6:.1f} MB for {len(good)} instruments")

    for query in QUERIES:  # warm-up round (first-use allocations), not measured
        index.search(query)
    latencies: list[float] = []
    cpu: list[float] = []
    per_query: dict[str, float] = {}
    gc.disable()  # a collection pause is the collector's figure, not the search's
    for _ in range(50):
        for query in QUERIES:
            started, started_cpu = time.perf_counter(), time.thread_time()
            index.search(query)
            spent = time.perf_counter() - started
            cpu.append(time.thread_time() - started_cpu)
            latencies.append(spent)
            per_query[query] = max(per_query.get(query, 0.0), spent)
    gc.enable()
    latencies.sort()
    cpu.sort()
    slowest = sorted(per_query.items(), key=lambda kv: kv[1], reverse=True)[:3]
    print("slowest queries (max): " + ", ".join(f"{q!r} {t * 1e3:.2f} ms" for q, t in slowest))
    p50 = statistics.median(latencies) * 1e3
    p99 = latencies[int(len(latencies) * 0.99)] * 1e3
    print(f"search over {len(good)}: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {latencies[-1] * 1e3:.3f} ms "
          f"({len(latencies)} queries, wall clock)")
    print(f"search CPU time: p50 {statistics.median(cpu) * 1e3:.3f} ms, p99 {cpu[int(len(cpu) * 0.99)] * 1e3:.3f} ms "
          "(excludes time the OS gave to other processes)")
    keys = [(item.exchange, item.symbol) for item in good[:: max(len(good) // 20000, 1)]]
    started = time.perf_counter()
    for exchange, symbol in keys:
        index.get(exchange, symbol)
    lookups = time.perf_counter() - started
    print(f"symbol lookup: {lookups / 20000 * 1e6:.2f} µs each")

    first, again, load = asyncio.run(sqlite_write(good))
    print(f"SQLite write (executemany, one transaction): first {first:.2f} s, re-download {again:.2f} s; "
          f"load back into memory {load:.2f} s")


if __name__ == "__main__":
    main()
