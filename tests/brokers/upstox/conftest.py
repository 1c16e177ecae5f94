"""Fixtures: a started fake Upstox, the plugin pointed at it, a logged-in session and the master."""

from __future__ import annotations

import httpx
import pytest

from brokers.contract import BrokerConfig, Instrument
from brokers.upstox.plugin import create
from tests.brokers.upstox.fake import UpstoxFake

REDIRECT = "http://127.0.0.1:5000/upstox/callback"


class Lookup:
    """A minimal InstrumentLookup over a downloaded master."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.items = instruments
        self._symbol = {(i.exchange.value, i.symbol): i for i in instruments}
        self._token = {(i.exchange.value, i.token): i for i in instruments}
        self._brsymbol = {(i.brexchange, i.brsymbol): i for i in instruments}

    def get(self, exchange: str, symbol: str) -> Instrument | None:
        return self._symbol.get((str(exchange), symbol))

    def by_token(self, exchange: str, token: str) -> Instrument | None:
        return self._token.get((str(exchange), token))

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        return self._brsymbol.get((brexchange, brsymbol))


@pytest.fixture
async def fake():
    broker = UpstoxFake()
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
async def plugin(fake):
    # Plain http to 127.0.0.1: skip loading the CA bundle for every test's client.
    transport = httpx.AsyncHTTPTransport(verify=False)
    instance = create(BrokerConfig(urls=fake.urls, redirect_url=REDIRECT, transport=transport))
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
