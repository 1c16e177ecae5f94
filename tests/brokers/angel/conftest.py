"""Fixtures: a started fake Angel One, a plugin pointed at it, a logged-in session and the
installed master contract as an InstrumentLookup."""

from __future__ import annotations

import pytest

from brokers.angel.plugin import AngelPlugin
from brokers.contract import BrokerConfig, Instrument, RateLimit
from tests.brokers.angel.fake import FakeAngelBroker

# Tests exercise behaviour, not pacing; one test checks the real limits separately.
FAST = {group: RateLimit(10_000) for group in ("orders", "quotes", "history", "other", "orderbook", "tradebook",
                                                "positions", "holdings", "rms", "margin", "login")}


class Lookup:
    """The installed master contract, as the backend hands it to plugins."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.items = {(str(i.exchange), i.symbol): i for i in instruments}
        self.tokens = {(str(i.exchange), i.token): i for i in instruments}
        self.brsymbols = {(i.brexchange, i.brsymbol): i for i in instruments}

    def get(self, exchange: str, symbol: str) -> Instrument | None:
        return self.items.get((exchange, symbol))

    def by_token(self, exchange: str, token: str) -> Instrument | None:
        return self.tokens.get((exchange, token))

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        return self.brsymbols.get((brexchange, brsymbol))


@pytest.fixture(scope="session")
async def fake_server():
    broker = FakeAngelBroker(tick_interval=None)
    await broker.start()
    yield broker
    await broker.stop()


@pytest.fixture
async def fake(fake_server):
    fake_server.reset()
    yield fake_server
    fake_server.drop_feed_connections()  # no test's socket outlives it


@pytest.fixture
async def plugin(fake):
    instance = AngelPlugin(BrokerConfig(urls=fake.urls), rate_limits=FAST, heartbeat_seconds=0.2)
    yield instance
    await instance.close()


@pytest.fixture
async def session(fake, plugin):
    return await plugin.authenticate(fake.credentials, await fake.login_params(plugin.login_url(fake.credentials, "s")))


@pytest.fixture
async def lookup(plugin):
    return Lookup(await plugin.instrument_provider().download())


@pytest.fixture
async def execution(plugin, session, lookup):
    return plugin.execution_client(session, lookup)


@pytest.fixture
async def data(plugin, session, lookup):
    return plugin.data_client(session, lookup)
