"""The Upstox plugin: OAuth login, and per session the data, execution and streaming clients.

Endpoint names for `BrokerConfig.urls` (each overridable, which is how tests use a local fake):
- `login`  — host of the OAuth dialog page, default `https://api.upstox.com`
- `api`    — REST host for v2/v3 calls (token exchange, orders, quotes, history, feed authorize),
             default `https://api.upstox.com`
- `master` — full URL of the instrument file,
             default `https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz`
- `feed`   — optional: replaces the scheme and host of the single-use feed URL that the authorize
             endpoint returns (the path and its code are kept); unset = use it as returned
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from brokers.common.http import BrokerHttp
from brokers.contract.config import BrokerConfig
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.upstox import auth
from brokers.upstox.api import BROKER, UpstoxApi
from brokers.upstox.capabilities import CAPABILITIES
from brokers.upstox.manifest import MANIFEST
from brokers.upstox.market import UpstoxDataClient
from brokers.upstox.master import UpstoxInstrumentProvider
from brokers.upstox.orders import UpstoxExecutionClient
from brokers.upstox.streaming import UpstoxStreamingAdapter

API = "https://api.upstox.com"
MASTER = "https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz"


class UpstoxPlugin:
    manifest = MANIFEST
    capabilities = CAPABILITIES
    session_rollover: time = auth.TOKEN_ROLLOVER

    def __init__(self, config: BrokerConfig) -> None:
        self.config = config
        self.login_base = config.url("login", API)
        self.api_base = config.url("api", API)
        self.master_url = config.url("master", MASTER)
        self.feed_override = config.urls.get("feed") or None
        # One pooled client for every user of this installation; token buckets live in it.
        self.http = BrokerHttp(BROKER, self.api_base, limits=self.capabilities.rate_limits,
                               transport=config.transport)

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        return auth.login_url(self.login_base, credentials, self.config.redirect_url, state)

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        return await auth.exchange_code(self.http, credentials, params, self.config.redirect_url)

    def _api(self, session: BrokerSession) -> UpstoxApi:
        return UpstoxApi(self.http, session.access_token)

    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> UpstoxDataClient:
        return UpstoxDataClient(self._api(session), instruments, self.capabilities)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> UpstoxExecutionClient:
        return UpstoxExecutionClient(self._api(session), instruments)

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup) -> UpstoxStreamingAdapter:
        return UpstoxStreamingAdapter(self._api(session), instruments, feed_override=self.feed_override,
                                      max_per_subscribe=self.capabilities.max_instruments_per_subscribe)

    def instrument_provider(self, session: BrokerSession | None = None) -> UpstoxInstrumentProvider:
        return UpstoxInstrumentProvider(self.http, self.master_url)

    async def close(self) -> None:
        await self.http.close()


def create(config: BrokerConfig) -> UpstoxPlugin:
    return UpstoxPlugin(config)
