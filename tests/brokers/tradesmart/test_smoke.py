"""tradesmart smoke test: the member's own fake, login, a protected market order, a quote and a tick."""

from __future__ import annotations

import asyncio

from brokers.contract import Action, BrokerConfig, Exchange, FeedMode, OrderRequest, OrderStatus, PriceType
from brokers.families.noren.plugin import create_tradesmart
from tests.brokers.families.noren.conftest import Lookup
from tests.brokers.tradesmart.fake import FakeTradeSmart


async def test_tradesmart_end_to_end():
    fake = FakeTradeSmart()
    await fake.start()
    plugin = create_tradesmart(BrokerConfig(urls=fake.urls))
    try:
        assert plugin.manifest.name == "tradesmart" and plugin.member.name == "tradesmart"
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
