"""Fixtures, parametrised over the Noren members: a started fake per member, a plugin pointed at
it, a logged-in session and the master lookup."""

from __future__ import annotations

import pytest

from brokers.contract import BrokerConfig, Instrument, RateLimit
from brokers.families.noren.plugin import NorenPlugin
from tests.brokers.flattrade.fake import FakeFlattrade
from tests.brokers.shoonya.fake import FakeShoonya
from tests.brokers.tradesmart.fake import FakeTradeSmart
from tests.brokers.zebu.fake import FakeZebu

FAKES = {"shoonya": FakeShoonya, "zebu": FakeZebu, "tradesmart": FakeTradeSmart, "flattrade": FakeFlattrade}
MEMBERS = sorted(FAKES)
# Fast buckets for the suite; the real limits are checked in test_plugin.
FAST_LIMITS = {group: RateLimit(1000) for group in ("orders", "quotes", "history", "other")}


def member_config(name: str):
    module = __import__(f"brokers.{name}.config", fromlist=["MEMBER"])
    return module.MEMBER


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
async def fake_servers():
    servers = {name: cls() for name, cls in FAKES.items()}
    for server in servers.values():
        await server.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            await server.stop()


@pytest.fixture(scope="session")
async def plugins(fake_servers):
    built = {name: NorenPlugin(member_config(name), BrokerConfig(urls=fake_servers[name].urls),
                               rate_limits=FAST_LIMITS) for name in MEMBERS}
    try:
        yield built
    finally:
        for plugin in built.values():
            await plugin.close()


@pytest.fixture(params=MEMBERS)
def member(request) -> str:
    return request.param


@pytest.fixture
async def fake(fake_servers, member):
    """The member's shared fake, reset to a fresh account for each test."""
    server = fake_servers[member]
    server.reset()
    yield server
    server.drop_feed_connections()


@pytest.fixture
def plugin(plugins, member) -> NorenPlugin:
    return plugins[member]


@pytest.fixture
async def session(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "st4te"))
    return await plugin.authenticate(fake.credentials, params)


@pytest.fixture(scope="session")
def lookups() -> dict[str, Lookup]:
    return {}


@pytest.fixture
async def lookup(plugin, member, lookups) -> Lookup:
    """The member's master, downloaded once per session (the files never change)."""
    if member not in lookups:
        lookups[member] = Lookup(await plugin.instrument_provider().download())
    return lookups[member]


@pytest.fixture
def execution(plugin, session, lookup):
    return plugin.execution_client(session, lookup)


@pytest.fixture
def data(plugin, session, lookup):
    return plugin.data_client(session, lookup)
