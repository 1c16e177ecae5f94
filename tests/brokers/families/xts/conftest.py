"""Fixtures: one started fake per member (lazily, shared for the session), the member's plugin
pointed at it, a logged-in session and the master lookup. Tests run against `iifl` (plain XTS)
unless they parametrise `member`."""

from __future__ import annotations

import importlib

import pytest

from brokers.contract import BrokerConfig, Instrument, RateLimit
from brokers.families.xts.plugin import XtsPlugin

MEMBERS = ("fivepaisaxts", "iifl", "ibulls", "wisdom", "compositedge", "jainamxts")
FAKES = {"fivepaisaxts": "FakeFivepaisaXts", "iifl": "FakeIifl", "ibulls": "FakeIbulls", "wisdom": "FakeWisdom",
         "compositedge": "FakeCompositedge", "jainamxts": "FakeJainamXts"}
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


def member_config(name: str):
    return importlib.import_module(f"brokers.{name}.manifest").MEMBER


def redirect_url(name: str) -> str:
    return f"http://127.0.0.1:9/{name}/callback"


@pytest.fixture(scope="session")
async def servers():
    started: dict[str, object] = {}

    async def get(name: str):
        if name not in started:
            fake = getattr(importlib.import_module(f"tests.brokers.{name}.fake"), FAKES[name])()
            await fake.start()
            started[name] = fake
        return started[name]

    try:
        yield get
    finally:
        for fake in started.values():
            await fake.stop()


@pytest.fixture(scope="session")
async def plugins(servers):
    built: dict[str, XtsPlugin] = {}

    async def get(name: str) -> XtsPlugin:
        if name not in built:
            fake = await servers(name)
            built[name] = XtsPlugin(member_config(name), BrokerConfig(urls=fake.urls, redirect_url=redirect_url(name)),
                                    rate_limits=FAST_LIMITS)
        return built[name]

    try:
        yield get
    finally:
        for plugin in built.values():
            await plugin.close()


@pytest.fixture
def member() -> str:
    return "iifl"


@pytest.fixture
async def fake(servers, member):
    server = await servers(member)
    server.reset()
    yield server
    server.drop_feed_connections()


@pytest.fixture
async def plugin(plugins, member, fake):
    return await plugins(member)


@pytest.fixture
async def session(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "st4te"))
    return await plugin.authenticate(fake.credentials, params)


@pytest.fixture
async def lookup(plugin, session) -> Lookup:
    return Lookup(await plugin.instrument_provider(session).download())


@pytest.fixture
def execution(plugin, session, lookup):
    return plugin.execution_client(session, lookup)


@pytest.fixture
def data(plugin, session, lookup):
    return plugin.data_client(session, lookup)
