"""One end-to-end pass per member, run from `tests/brokers/<member>/test_smoke.py`: login as the
member requires, master contract, quote, a filled MARKET order in the books, a feed tick."""

from __future__ import annotations

import asyncio
import importlib

from brokers.contract import Action, BrokerConfig, Exchange, FeedMode, OrderRequest, OrderStatus, RateLimit
from brokers.families.xts.plugin import XtsPlugin
from tests.brokers.families.xts.conftest import FAKES, Lookup, member_config, redirect_url


async def run_smoke(name: str) -> None:
    fake = getattr(importlib.import_module(f"tests.brokers.{name}.fake"), FAKES[name])()
    await fake.start()
    plugin = XtsPlugin(member_config(name), BrokerConfig(urls=fake.urls, redirect_url=redirect_url(name)),
                       rate_limits={g: RateLimit(1000) for g in ("orders", "quotes", "history", "other")})
    feed = None
    try:
        session = await plugin.authenticate(fake.credentials,
                                            await fake.login_params(plugin.login_url(fake.credentials, "s")))
        lookup = Lookup(await plugin.instrument_provider(session).download())
        sbin = lookup.get("NSE", "SBIN")
        assert (await plugin.data_client(session, lookup).quote(sbin)).ltp == 800.5
        execution = plugin.execution_client(session, lookup)
        placed = await execution.place_order(OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1))
        [order] = await execution.orders()
        assert (order.orderid, order.status) == (placed.orderid, OrderStatus.COMPLETE)
        feed = plugin.streaming_adapter(session, lookup)
        ticks: asyncio.Queue = asyncio.Queue()
        feed.on_tick(ticks.put_nowait)
        await feed.connect()
        await feed.subscribe([sbin], FeedMode.QUOTE)
        async with asyncio.timeout(3):
            tick = await ticks.get()
        assert (tick.symbol, tick.mode, tick.ltp) == ("SBIN", FeedMode.QUOTE, 800.5)
    finally:
        if feed is not None:
            await feed.close()
        await plugin.close()
        await fake.stop()
