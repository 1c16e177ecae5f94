"""One end-to-end pass per member, run from `tests/brokers/<member>/test_smoke.py`: the member's own
fake, login, a protected market order, a quote and a tick."""

from __future__ import annotations

import asyncio
import importlib
import inspect

from brokers.contract import Action, BrokerConfig, Exchange, FeedMode, OrderRequest, OrderStatus, PriceType
from brokers.families.noren import plugin as plugin_module
from tests.brokers.families.noren.conftest import Lookup


def fake_class(name: str):
    module = importlib.import_module(f"tests.brokers.{name}.fake")
    [found] = [cls for _, cls in inspect.getmembers(module, inspect.isclass) if cls.__module__ == module.__name__]
    return found


async def run_smoke(name: str) -> None:
    fake = fake_class(name)()
    await fake.start()
    plugin = getattr(plugin_module, f"create_{name}")(BrokerConfig(urls=fake.urls))
    try:
        assert plugin.manifest.name == name and plugin.member.name == name
        session = await plugin.authenticate(fake.credentials, await fake.login_params(plugin.login_url(fake.credentials, "s")))
        lookup = Lookup(await plugin.instrument_provider().download())
        order = await plugin.execution_client(session, lookup).place_order(
            OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1, PriceType.MARKET))
        assert order.status == OrderStatus.COMPLETE
        assert (await plugin.data_client(session, lookup).quote(lookup.get("NSE", "SBIN"))).ltp == 800.5
        feed = plugin.streaming_adapter(session, lookup)
        ticks: asyncio.Queue = asyncio.Queue()
        feed.on_tick(ticks.put_nowait)
        await feed.connect()
        try:
            await feed.subscribe([lookup.get("NSE_INDEX", "NIFTY")], FeedMode.LTP)
            async with asyncio.timeout(3):
                tick = await ticks.get()
            assert (tick.exchange, tick.symbol, tick.ltp) == ("NSE_INDEX", "NIFTY", 26000.0)
        finally:
            await feed.close()
    finally:
        await plugin.close()
        await fake.stop()
