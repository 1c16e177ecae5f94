"""The server side of `bench_feed`: a streaming hub with a synthetic upstream on a feed port.

Run as its own process (`python -m bench.feed_hub_server --port P [--redis URL]`), so its CPU and
memory can be read from /proc. The synthetic upstream emits R ticks/s for every subscribed
symbol, spread evenly over time; `ltt` carries the emit time (ms) for latency measurement.
Prints `READY <port>` once listening. Uses uvloop, as uvicorn does in production.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time

from brokers.contract import Capabilities, Exchange, FeedMode, Instrument, Tick
from streaming.auth import FeedPrincipal
from streaming.backplane.redis import RedisBackplane
from streaming.config import HubConfig
from streaming.hub import StreamingHub
from streaming.transports.ws_feed import FeedListener

PRINCIPAL = FeedPrincipal(user_id="bench", broker="simulator", feed_account="simulator")
SLICE_SECONDS = 0.005


class BenchAuth:
    async def authenticate_api_key(self, api_key):
        return PRINCIPAL

    async def resolve(self, principal, exchange, symbol):
        return Instrument(symbol=symbol, brsymbol=symbol, name=symbol, exchange=Exchange(exchange),
                          brexchange=exchange, token=symbol)


class SyntheticAdapter:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.symbols: dict[tuple[str, str], FeedMode] = {}
        self._handler = None
        self._task: asyncio.Task | None = None

    def on_tick(self, handler) -> None:
        self._handler = handler

    async def connect(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def subscribe(self, instruments, mode) -> None:
        for i in instruments:
            self.symbols[(str(i.exchange), i.symbol)] = mode

    async def unsubscribe(self, instruments, mode) -> None:
        for i in instruments:
            self.symbols.pop((str(i.exchange), i.symbol), None)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()

    async def _run(self) -> None:
        slices = max(1, round(1 / self.rate / SLICE_SECONDS))
        step = 0
        price = 1000.0
        next_at = time.monotonic()
        while True:
            next_at += SLICE_SECONDS
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            now_ms = time.time_ns() // 1_000_000
            price = price + 0.05 if price < 2000 else 1000.0
            for index, ((exchange, symbol), mode) in enumerate(list(self.symbols.items())):
                if index % slices == step:
                    self._handler(Tick(exchange=exchange, symbol=symbol, mode=mode, ltp=price, timestamp_ms=now_ms,
                                       volume=1000, open=price, high=price, low=price, close=price))
            step = (step + 1) % slices


class SyntheticUpstream:
    def __init__(self, rate: float) -> None:
        self.rate = rate

    def capabilities(self, feed_account):
        return Capabilities(max_symbols_per_connection=1000, max_connections_per_user=3)

    async def open_adapter(self, feed_account):
        return SyntheticAdapter(self.rate)


async def serve(args) -> None:
    config = HubConfig(throttle_ms=args.throttle_ms, max_subscriptions_per_client=10_000,
                       max_clients_per_user=100_000, stale_connection_seconds=3600, stale_symbol_seconds=3600)
    backplane = RedisBackplane(args.redis, args.redis_prefix) if args.redis else None
    auth = BenchAuth()
    hub = StreamingHub(config, upstreams=SyntheticUpstream(args.rate), api_keys=auth, symbols=auth,
                       backplane=backplane)
    await hub.start()
    listener = FeedListener(hub, "127.0.0.1", args.port)
    await hub.add_listener(listener)
    print(f"READY {listener.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    print(f"STATS ticks_in={hub.ticks_in} clients={len(hub.clients)} "
          f"delivered={sum(c.delivered for c in hub.clients)}", flush=True)
    await hub.stop()


def main() -> None:
    from bench.feed_load import raise_fd_limit

    raise_fd_limit()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=20.0, help="ticks per second per symbol")
    parser.add_argument("--throttle-ms", type=float, default=50.0)
    parser.add_argument("--redis", default="")
    parser.add_argument("--redis-prefix", default="algogate-bench:")
    args = parser.parse_args()
    try:
        import uvloop
        uvloop.run(serve(args))
    except ImportError:
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
