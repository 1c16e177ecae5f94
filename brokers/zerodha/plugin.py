"""The Zerodha (Kite Connect v3) plugin.

Endpoint names read from `BrokerConfig.urls` (each overridable, which is how tests use a fake):

| name     | default                                 | used for                                |
|----------|-----------------------------------------|-----------------------------------------|
| `login`  | `https://kite.zerodha.com`              | browser login page `/connect/login`     |
| `api`    | `https://api.kite.trade`                | REST: session, orders, books, quotes    |
| `feed`   | `wss://ws.kite.trade`                   | binary market-data WebSocket            |
| `master` | `https://api.kite.trade/instruments`    | the instrument dump (CSV)               |
"""

from __future__ import annotations

from collections.abc import Mapping

from brokers.common.http import BrokerHttp
from brokers.contract.capabilities import Capabilities, RateLimit
from brokers.contract.config import BrokerConfig
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, FeedMode
from brokers.zerodha import auth
from brokers.zerodha.api import BROKER, KiteApi
from brokers.zerodha.manifest import MANIFEST
from brokers.zerodha.market import SPAN_DAYS, ZerodhaData
from brokers.zerodha.master import ZerodhaInstrumentProvider
from brokers.zerodha.orders import ZerodhaExecution
from brokers.zerodha.streaming import SUBSCRIBE_BATCH, ZerodhaStreamingAdapter

DEFAULT_URLS = {
    "login": "https://kite.zerodha.com",
    "api": "https://api.kite.trade",
    "feed": "wss://ws.kite.trade",
}

RATE_LIMITS = {
    "quotes": RateLimit(1),  # /quote*: 1 request/s
    "history": RateLimit(3),  # historical candles: 3 requests/s
    "orders": RateLimit(10),  # 10 orders/s (also 400/min, 5000/day, enforced by Kite)
    "other": RateLimit(10),  # everything else: 10 requests/s per API key
}

INTERVALS = ("1m", "3m", "5m", "10m", "15m", "30m", "1h", "D")
_KITE_INTERVAL = {"1m": "minute", "3m": "3minute", "5m": "5minute", "10m": "10minute", "15m": "15minute",
                  "30m": "30minute", "1h": "60minute", "D": "day"}

CAPABILITIES = Capabilities(
    exchanges=frozenset({Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.BCD,
                         Exchange.MCX, Exchange.NCO, Exchange.NSE_INDEX, Exchange.BSE_INDEX, Exchange.MCX_INDEX,
                         Exchange.GLOBAL_INDEX}),
    depth_levels=(5,),
    intervals=INTERVALS,
    history_max_days={name: SPAN_DAYS[kite] for name, kite in _KITE_INTERVAL.items()},
    feed_modes=frozenset(FeedMode),
    max_symbols_per_connection=3000,
    max_connections_per_user=3,
    max_instruments_per_subscribe=SUBSCRIBE_BATCH,
    max_symbols_per_multiquote=500,
    gtt=False,
    basket_margin=True,
    rate_limits=RATE_LIMITS,
)


class ZerodhaPlugin:
    manifest = MANIFEST
    capabilities = CAPABILITIES
    session_rollover = auth.TOKEN_EXPIRY

    def __init__(self, config: BrokerConfig, *, rate_limits: Mapping[str, RateLimit] | None = None) -> None:
        self.config = config
        self.login_base = config.url("login", DEFAULT_URLS["login"])
        self.api_base = config.url("api", DEFAULT_URLS["api"])
        self.feed_url = config.url("feed", DEFAULT_URLS["feed"])
        self.master_url = config.url("master", f"{self.api_base}/instruments")
        # One pooled client per plugin: every user's calls share the per-API-key buckets.
        self.http = BrokerHttp(BROKER, self.api_base, limits=dict(rate_limits or RATE_LIMITS),
                               transport=config.transport)

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        api_key = (credentials.get("api_key") or "").strip()
        if not api_key:
            raise BrokerError(BROKER, "missing api_key", 400)
        return auth.login_url(self.login_base, api_key, state)

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        return await auth.authenticate(self.http, credentials, params)

    def _api(self, session: BrokerSession) -> KiteApi:
        api_key = session.extra.get("api_key")
        if not api_key:
            raise BrokerError(BROKER, "session lacks the api_key; log in again", 401)
        return KiteApi(self.http, api_key, session.access_token)

    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> ZerodhaData:
        return ZerodhaData(self._api(session), self.capabilities)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> ZerodhaExecution:
        return ZerodhaExecution(self._api(session), instruments)

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup) -> ZerodhaStreamingAdapter:
        api_key = session.extra.get("api_key")
        if not api_key:
            raise BrokerError(BROKER, "session lacks the api_key; log in again", 401)
        return ZerodhaStreamingAdapter(self.feed_url, api_key, session.access_token)

    def instrument_provider(self, session: BrokerSession | None = None) -> ZerodhaInstrumentProvider:
        headers = {}
        if session is not None and session.extra.get("api_key"):
            headers["Authorization"] = f"token {session.extra['api_key']}:{session.access_token}"
        return ZerodhaInstrumentProvider(self.http, self.master_url, headers)

    async def close(self) -> None:
        await self.http.close()


def create(config: BrokerConfig) -> ZerodhaPlugin:
    return ZerodhaPlugin(config)
