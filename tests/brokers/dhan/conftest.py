"""Fixtures for the Dhan plugin tests: a started FakeDhan, a plugin pointed at it, a logged-in
session and the master contract the plugin itself installed from the fake's CSV."""

from __future__ import annotations

import dataclasses

import pytest

from brokers.contract import BrokerConfig, Instrument, RateLimit
from brokers.dhan.plugin import CAPABILITIES, DhanPlugin
from tests.brokers.dhan.fake import FakeDhan

# The real quote bucket is 1/s; most tests use roomier buckets so the suite stays fast. The
# rate-limit test uses the real CAPABILITIES.
FAST = dataclasses.replace(CAPABILITIES, rate_limits={group: RateLimit(1000, 1.0) for group in CAPABILITIES.rate_limits})


class MasterLookup:
    """An InstrumentLookup over a downloaded master contract."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.instruments = instruments
        self._by_symbol = {(i.exchange.value, i.symbol): i for i in instruments}
        self._by_token = {(i.exchange.value, i.token): i for i in instruments}
        self._by_brsymbol = {(i.brexchange, i.brsymbol): i for i in instruments}

    def get(self, exchange: str, symbol: str) -> Instrument | None:
        return self._by_symbol.get((exchange, symbol))

    def by_token(self, exchange: str, token: str) -> Instrument | None:
        return self._by_token.get((exchange, token))

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        return self._by_brsymbol.get((brexchange, brsymbol))


# One started fake, plugin and master contract per module (starting them is most of a test's
# cost); `fake` resets the broker's books and switches before every test.
@pytest.fixture(scope="module")
async def fake_server():
    broker = FakeDhan(tick_interval=0.2)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
def fake(fake_server):
    fake_server.reset()
    return fake_server


@pytest.fixture(scope="module")
async def plugin(fake_server):
    instance = DhanPlugin(BrokerConfig(urls=fake_server.urls, redirect_url="http://127.0.0.1:9/dhan/callback"),
                          FAST)
    try:
        yield instance
    finally:
        await instance.close()


@pytest.fixture
async def session(plugin, fake):
    url = await plugin.prepare_login(fake.credentials, "state-1")
    params = await fake.login_params(plugin.login_url(fake.credentials, "state-1") or url)
    return await plugin.authenticate(fake.credentials, params)


@pytest.fixture(scope="module")
async def lookup(plugin):
    return MasterLookup(await plugin.instrument_provider().download())


@pytest.fixture
def execution(plugin, session, lookup):
    return plugin.execution_client(session, lookup)


@pytest.fixture
def data(plugin, session, lookup):
    return plugin.data_client(session, lookup)
