"""Fixtures: a started fake Fyers, a plugin pointed at it, a logged-in session and the master
contract the plugin itself downloaded from the fake (so lookups go through the real transform)."""

from __future__ import annotations

import asyncio

import pytest

from brokers.contract import BrokerConfig, Instrument, Tick
from brokers.fyers.plugin import FyersPlugin, create
from tests.brokers.fyers.fake import FyersFake

REDIRECT = "http://127.0.0.1:5000/fyers/callback"


class Lookup:
    """A minimal InstrumentLookup over a list of instruments."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.items = instruments
        self._symbol = {(i.exchange.value, i.symbol): i for i in instruments}
        self._token = {(i.exchange.value, i.token): i for i in instruments}
        self._brsymbol = {(i.brexchange, i.brsymbol): i for i in instruments}

    def get(self, exchange: str, symbol: str) -> Instrument | None:
        return self._symbol.get((str(exchange), symbol))

    def by_token(self, exchange: str, token: str) -> Instrument | None:
        return self._token.get((str(exchange), str(token)))

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        return self._brsymbol.get((brexchange, brsymbol))


class TickQueue:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Tick] = asyncio.Queue()

    def __call__(self, tick: Tick) -> None:
        self.queue.put_nowait(tick)

    async def next(self, symbol: str | None = None, within: float = 3.0) -> Tick:
        async with asyncio.timeout(within):
            while True:
                tick = await self.queue.get()
                if symbol is None or tick.symbol == symbol:
                    return tick


@pytest.fixture(scope="module")
async def fake_server():
    server = FyersFake(tick_interval=None)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def fake(fake_server):
    fake_server.reset()
    yield fake_server
    fake_server.drop_feed_connections()  # nothing a test opened survives it


@pytest.fixture
async def plugin(fake) -> FyersPlugin:
    instance = create(BrokerConfig(urls=fake.urls, redirect_url=REDIRECT))
    try:
        yield instance
    finally:
        await instance.close()


@pytest.fixture
async def session(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "state-1"))
    return await plugin.authenticate(fake.credentials, params)


@pytest.fixture
async def lookup(plugin) -> Lookup:
    return Lookup(await plugin.instrument_provider().download())
