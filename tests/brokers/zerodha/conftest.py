"""Fixtures: a started fake Kite, a plugin pointed at it, a logged-in session and the master lookup."""

from __future__ import annotations

import pytest

from brokers.contract import BrokerConfig, Instrument, RateLimit
from brokers.zerodha.plugin import ZerodhaPlugin
from tests.brokers.zerodha.fake import FakeKite

# Fast buckets for the suite; the real limits are checked in test_rate_limits.
FAST_LIMITS = {group: RateLimit(1000) for group in ("orders", "quotes", "history", "other")}


class Lookup:
    """A minimal InstrumentLookup over a downloaded master contract."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.by_symbol = {(str(i.exchange), i.symbol): i for i in instruments}
        self.tokens = {(str(i.exchange), i.token): i for i in instruments}
        self.brsymbols = {(i.brexchange, i.brsymbol): i for i in instruments}

    def get(self, exchange: str, symbol: str) -> Instrument | None:
        return self.by_symbol.get((exchange, symbol))

    def by_token(self, exchange: str, token: str) -> Instrument | None:
        return self.tokens.get((exchange, token))

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        return self.brsymbols.get((brexchange, brsymbol))


@pytest.fixture(scope="session")
async def fake_server():
    server = FakeKite()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def fake(fake_server):
    """The shared fake, reset to a fresh account for each test (starting servers per test is slow)."""
    fake_server.reset()
    yield fake_server
    fake_server.drop_feed_connections()


@pytest.fixture(scope="session")
async def plugin(fake_server):
    instance = ZerodhaPlugin(BrokerConfig(urls=fake_server.urls, redirect_url="http://127.0.0.1:9/zerodha/callback"),
                             rate_limits=FAST_LIMITS)
    try:
        yield instance
    finally:
        await instance.close()


@pytest.fixture
async def session(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "st4te"))
    return await plugin.authenticate(fake.credentials, params)


@pytest.fixture
async def lookup(plugin) -> Lookup:
    return Lookup(await plugin.instrument_provider().download())


@pytest.fixture
def execution(plugin, session, lookup):
    return plugin.execution_client(session, lookup)


@pytest.fixture
def data(plugin, session, lookup):
    return plugin.data_client(session, lookup)
