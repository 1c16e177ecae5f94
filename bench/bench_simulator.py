"""Simulator benchmark: tick generation for 5,000 subscribed instruments on one core, quote and
history latency.

    uv run python -m bench.bench_simulator
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from backend.core.clock import IST
from brokers.contract.types import FeedMode
from brokers.simulator import SimClock, SimulatorBroker

SUBSCRIBED = 5000
ROUNDS = 5


def main() -> None:
    broker = SimulatorBroker.create(seed=7, clock=SimClock.frozen_at(datetime(2026, 11, 27, 10, 30, tzinfo=IST)))
    instruments = broker.provider.instruments()
    nfo = [i for i in instruments if i.exchange.value == "NFO"]
    cash = [i for i in instruments if i.exchange.value == "NSE"]
    chosen = (cash + nfo[:: max(len(nfo) // SUBSCRIBED, 1)])[:SUBSCRIBED]
    print(f"universe {len(instruments)}; subscribed {len(chosen)} "
          f"({len({broker.market.underlying_code(i) for i in chosen})} underlyings)")

    for mode in (FeedMode.LTP, FeedMode.QUOTE, FeedMode.DEPTH):
        adapter = broker.streaming_adapter()
        import asyncio

        asyncio.run(adapter.subscribe(chosen, mode))
        adapter.tick_round(only_changes=False)  # warm: models, day paths, day ranges
        broker.clock.advance(1)
        total, started = 0, time.perf_counter()
        for _ in range(ROUNDS):
            total += len(adapter.tick_round(only_changes=False))
            broker.clock.advance(1)
        elapsed = time.perf_counter() - started
        print(f"{mode.name:5} ticks: {total / elapsed:,.0f} ticks/s on one core "
              f"({elapsed / ROUNDS * 1e3:.0f} ms per round of {len(chosen)})")

    market = broker.market
    option = nfo[len(nfo) // 2]
    cold = market.model(option)  # noqa: F841
    started = time.perf_counter()
    for _ in range(1000):
        market.quote(option)
        broker.clock.advance(0.5)
    print(f"quote (option, warm): {(time.perf_counter() - started):.3f} ms each")
    start = broker.today() - timedelta(days=29)
    for interval, days in (("1m", 30), ("5m", 30), ("D", 365 * 5)):
        started = time.perf_counter()
        bars = asyncio.run(broker.data_client.history(cash[0], interval, broker.today() - timedelta(days=days - 1),
                                                      broker.today()))
        print(f"history {interval} over {days} days: {len(bars)} candles in {time.perf_counter() - started:.3f} s")
    del start


if __name__ == "__main__":
    main()
